package stacks

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// testAssets holds small committed fake bootstraps: synthesis only hashes and stages them.
const testAssets = "testdata/assets"

// synthesized is one stack, synthesized once, with the logical ids of its constructs.
type synthesized struct {
	stack     *FareCollectionStack
	assert    assertions.Template
	resources map[string]map[string]any // logical id -> resource
	outputs   map[string]any

	tables       map[string]string // tables.Spec.Name -> logical id
	functions    map[string]string // statemachine.Function.Name -> logical id
	stateMachine string
	outcomeTopic string
	alertsTopic  string
	queues       map[string]string // SuccessfulTransactions / FailedTransactions -> logical id
}

var dev, prod *synthesized

// TestMain builds each stage once: jsii start-up and synthesis dominate the test time.
func TestMain(m *testing.M) {
	os.Exit(func() int {
		defer jsii.Close()
		var err error
		if dev, err = synthesize(Dev); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if prod, err = synthesize(Prod); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}())
}

// synthesize builds stage's stack in an app of its own: an app synthesizes once.
func synthesize(stage Stage) (*synthesized, error) {
	return synthesizeProps(&FareCollectionStackProps{Stage: stage, AssetRoot: testAssets})
}

func synthesizeProps(p *FareCollectionStackProps) (*synthesized, error) {
	stage := cmp.Or(p.Stage, Dev)
	stack, err := NewFareCollectionStack(awscdk.NewApp(nil), StackID(stage), p)
	if err != nil {
		return nil, fmt.Errorf("build %s stack: %w", stage, err)
	}
	tpl := assertions.Template_FromStack(stack.Stack, nil)
	raw := *tpl.ToJSON()
	s := &synthesized{
		stack:        stack,
		assert:       tpl,
		resources:    map[string]map[string]any{},
		outputs:      raw["Outputs"].(map[string]any),
		tables:       map[string]string{},
		functions:    map[string]string{},
		queues:       map[string]string{},
		stateMachine: logicalID(stack.Stack, stack.StateMachine),
		outcomeTopic: logicalID(stack.Stack, stack.FareOutcomeTopic),
		alertsTopic:  logicalID(stack.Stack, stack.OperatorAlertsTopic),
	}
	for id, r := range raw["Resources"].(map[string]any) {
		s.resources[id] = r.(map[string]any)
	}
	for name, table := range stack.Tables {
		s.tables[name] = logicalID(stack.Stack, table)
	}
	for name, fn := range stack.Functions {
		s.functions[name] = logicalID(stack.Stack, fn)
	}
	s.queues["SuccessfulTransactions"] = logicalID(stack.Stack, stack.SuccessfulTransactions)
	s.queues["FailedTransactions"] = logicalID(stack.Stack, stack.FailedTransactions)
	return s, nil
}

// logicalID is the template's id for an L2 construct's CloudFormation resource.
func logicalID(stack awscdk.Stack, c constructs.IConstruct) string {
	cfn := c.Node().DefaultChild().(awscdk.CfnElement)
	return fmt.Sprint(stack.Resolve(stack.GetLogicalId(cfn)))
}

// --- template helpers -------------------------------------------------------------

func (s *synthesized) ofType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.resources {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

func props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

func (s *synthesized) props(id string) map[string]any {
	r, ok := s.resources[id]
	if !ok {
		panic("no resource " + id)
	}
	return props(r)
}

// list reads a policy field that may be a single value or a list.
func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// refs collects the logical ids v refers to through Ref and Fn::GetAtt, ignoring
// pseudo parameters (AWS::Region and the like).
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["Ref"].(string); ok && !strings.HasPrefix(ref, "AWS::") {
				out = append(out, ref)
			}
			if att, ok := v["Fn::GetAtt"].([]any); ok {
				out = append(out, att[0].(string))
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return slices.Compact(out)
}

func ref(id string) map[string]any   { return map[string]any{"Ref": id} }
func arnOf(id string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, "Arn"}} }

func sorted(ids []string) []string {
	ids = slices.Clone(ids)
	sort.Strings(ids)
	return ids
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return sorted(out)
}

// statement is one IAM policy statement.
type statement struct {
	actions   []string
	resources any
}

// roleStatements lists the Allow statements of every AWS::IAM::Policy attached to the
// role whose ARN roleArn ({"Fn::GetAtt": [role, "Arn"]}) refers to.
func (s *synthesized) roleStatements(t *testing.T, roleArn any) []statement {
	t.Helper()
	role := refs(roleArn)
	require.Len(t, role, 1, "role of %v", roleArn)
	var out []statement
	for _, policy := range s.ofType("AWS::IAM::Policy") {
		p := props(policy)
		if !slices.Contains(refs(p["Roles"]), role[0]) {
			continue
		}
		for _, st := range list(p["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			require.Equal(t, "Allow", st["Effect"])
			var actions []string
			for _, a := range list(st["Action"]) {
				actions = append(actions, a.(string))
			}
			out = append(out, statement{actions: actions, resources: st["Resource"]})
		}
	}
	require.NotEmpty(t, out, "no policy attached to %s", role[0])
	return out
}

// noPanic runs an assertions call, which panics on failure, and reports it as an error.
func noPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", name, r)
		}
	}()
	fn()
}

// --- the stack --------------------------------------------------------------------

func TestResourceCounts(t *testing.T) {
	for typ, n := range map[string]int{
		"AWS::StepFunctions::StateMachine": 1,
		"AWS::Lambda::Function":            len(statemachine.Functions),
		"AWS::DynamoDB::Table":             len(tables.All()),
		"AWS::SQS::Queue":                  2,
		"AWS::SNS::Topic":                  2,
		"AWS::SNS::Subscription":           2,
		"AWS::CloudWatch::Alarm":           3,
		"AWS::Logs::MetricFilter":          1,
		"AWS::Logs::LogGroup":              len(statemachine.Functions) + 1,
	} {
		noPanic(t, typ, func() { dev.assert.ResourceCountIs(jsii.String(typ), jsii.Number(n)) })
	}
	assert.Len(t, statemachine.Functions, 8)
	assert.Len(t, tables.All(), 4)
}

func TestFunctions(t *testing.T) {
	for _, fn := range statemachine.Functions {
		t.Run(fn.Name, func(t *testing.T) {
			p := dev.props(dev.functions[fn.Name])
			assert.Equal(t, "provided.al2023", p["Runtime"])
			assert.Equal(t, []any{"arm64"}, p["Architectures"])
			assert.Equal(t, "bootstrap", p["Handler"])
			assert.EqualValues(t, FunctionMemoryMB, p["MemorySize"])
			assert.EqualValues(t, statemachine.LambdaTimeoutSeconds, p["Timeout"])
			assert.Equal(t, map[string]any{"Mode": "Active"}, p["TracingConfig"])
			assert.Equal(t, StackID(Dev)+"-"+fn.Name, p["FunctionName"])

			logs := refs(p["LoggingConfig"])
			require.Len(t, logs, 1)
			assert.EqualValues(t, 30, dev.props(logs[0])["RetentionInDays"])

			want := map[string]any{lambdaenv.FaultInjectionVar: "enabled", lambdaenv.PaymentGatewayVar: "simulated"}
			for _, spec := range fn.Tables {
				want[spec.EnvVar] = ref(dev.tables[spec.Name])
			}
			assert.Equal(t, want, p["Environment"].(map[string]any)["Variables"])
		})
	}
}

func TestTables(t *testing.T) {
	for _, spec := range tables.All() {
		t.Run(spec.Name, func(t *testing.T) {
			r := dev.resources[dev.tables[spec.Name]]
			p := props(r)
			assert.Equal(t, "PAY_PER_REQUEST", p["BillingMode"])
			assert.Equal(t, map[string]any{"PointInTimeRecoveryEnabled": true}, p["PointInTimeRecoverySpecification"])
			assert.Equal(t, map[string]any{"SSEEnabled": true}, p["SSESpecification"], "encrypted with the AWS managed key")
			assert.Equal(t, "Delete", r["DeletionPolicy"])

			keys := []any{map[string]any{"AttributeName": spec.PartitionKey, "KeyType": "HASH"}}
			attrs := []any{map[string]any{"AttributeName": spec.PartitionKey, "AttributeType": "S"}}
			if spec.SortKey != "" {
				keys = append(keys, map[string]any{"AttributeName": spec.SortKey, "KeyType": "RANGE"})
				attrs = append(attrs, map[string]any{"AttributeName": spec.SortKey, "AttributeType": "S"})
			}
			assert.Equal(t, keys, p["KeySchema"])
			assert.ElementsMatch(t, attrs, p["AttributeDefinitions"])
		})
	}
}

// Each function may touch its own tables (statemachine.Functions[i].Tables) and nothing
// else: no other table, no other service but X-Ray.
func TestFunctionPoliciesTouchOnlyOwnTables(t *testing.T) {
	for _, fn := range statemachine.Functions {
		t.Run(fn.Name, func(t *testing.T) {
			var want []string
			for _, spec := range fn.Tables {
				want = append(want, dev.tables[spec.Name])
			}
			var touched []string
			for _, st := range dev.roleStatements(t, dev.props(dev.functions[fn.Name])["Role"]) {
				for _, action := range st.actions {
					service, _, _ := strings.Cut(action, ":")
					switch service {
					case "dynamodb":
						assert.NotEqual(t, "*", st.resources, "%s on every resource", action)
						touched = append(touched, refs(st.resources)...)
					case "xray":
					default:
						t.Errorf("unexpected action %s on %v", action, st.resources)
					}
				}
			}
			sort.Strings(touched)
			assert.Equal(t, sorted(want), slices.Compact(touched))
		})
	}
}

func TestStateMachine(t *testing.T) {
	p := dev.props(dev.stateMachine)
	assert.Equal(t, "STANDARD", p["StateMachineType"])
	assert.Equal(t, map[string]any{"Enabled": true}, p["TracingConfiguration"])
	assert.Equal(t, statemachine.Definition, p["DefinitionString"], "the definition goes through verbatim")

	logging := p["LoggingConfiguration"].(map[string]any)
	assert.Equal(t, "ALL", logging["Level"])
	assert.Equal(t, true, logging["IncludeExecutionData"])
	logs := refs(logging["Destinations"])
	require.Len(t, logs, 1)
	assert.EqualValues(t, 30, dev.props(logs[0])["RetentionInDays"])
}

// The state machine may invoke the eight functions, update the Fares table and publish
// to the outcome topic; beyond that only logs delivery and X-Ray.
func TestStateMachineRole(t *testing.T) {
	var invoked, updated, published []string
	for _, st := range dev.roleStatements(t, dev.props(dev.stateMachine)["RoleArn"]) {
		for _, action := range st.actions {
			service, _, _ := strings.Cut(action, ":")
			switch {
			case action == "lambda:InvokeFunction":
				invoked = append(invoked, refs(st.resources)...)
			case action == "dynamodb:UpdateItem":
				updated = append(updated, refs(st.resources)...)
			case action == "sns:Publish":
				published = append(published, refs(st.resources)...)
			case service == "logs" || service == "xray":
			default:
				t.Errorf("unexpected action %s on %v", action, st.resources)
			}
		}
	}
	assert.Equal(t, values(dev.functions), sorted(invoked))
	assert.Equal(t, []string{dev.tables[tables.Fares.Name]}, updated)
	assert.Equal(t, []string{dev.outcomeTopic}, published)
}

func TestDefinitionSubstitutions(t *testing.T) {
	got := dev.props(dev.stateMachine)["DefinitionSubstitutions"].(map[string]any)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	assert.Equal(t, statemachine.SubstitutionKeys(), sorted(keys))

	assert.Equal(t, ref(dev.tables[tables.Fares.Name]), got[statemachine.FaresTableName])
	assert.Equal(t, ref(dev.outcomeTopic), got[statemachine.FareOutcomeTopicArn])
	for _, fn := range statemachine.Functions {
		assert.Equal(t, arnOf(dev.functions[fn.Name]), got[fn.SubstitutionKey], fn.SubstitutionKey)
	}
}

func TestDefinitionSubstitutionsFailClearly(t *testing.T) {
	v := jsii.String("value")
	keys := []string{"A", "B"}

	subs, err := definitionSubstitutions(`{"x": "${A}", "y": "${B}"}`, keys, map[string]*string{"A": v, "B": v})
	require.NoError(t, err)
	assert.Len(t, subs, 2)

	_, err = definitionSubstitutions(`{"x": "${A}"}`, keys, map[string]*string{"A": v})
	assert.ErrorContains(t, err, "no value for B")

	_, err = definitionSubstitutions(`{"x": "${A}"}`, keys, map[string]*string{"A": v, "B": v, "C": v})
	assert.ErrorContains(t, err, "unknown keys C")

	_, err = definitionSubstitutions(`{"x": "${A}", "y": "${Typo}"}`, keys, map[string]*string{"A": v, "B": v})
	assert.ErrorContains(t, err, "not substitution keys: Typo")
}

// A Task that invokes a function must wait longer than the function may run, so a slow
// function ends with its own timeout error rather than States.Timeout.
func TestTaskTimeoutsExceedFunctionTimeout(t *testing.T) {
	var def map[string]any
	require.NoError(t, json.Unmarshal([]byte(statemachine.Definition), &def))
	checked := 0
	var walk func(states map[string]any)
	walk = func(states map[string]any) {
		for name, s := range states {
			state := s.(map[string]any)
			for _, key := range []string{"Branches"} {
				for _, b := range list(state[key]) {
					walk(b.(map[string]any)["States"].(map[string]any))
				}
			}
			for _, key := range []string{"Iterator", "ItemProcessor"} {
				if sub, ok := state[key].(map[string]any); ok {
					walk(sub["States"].(map[string]any))
				}
			}
			if state["Type"] != "Task" || !strings.Contains(fmt.Sprint(state["Resource"]), "lambda") {
				continue
			}
			checked++
			timeout, ok := state["TimeoutSeconds"].(float64)
			if assert.True(t, ok, "%s has no TimeoutSeconds", name) {
				assert.Greater(t, timeout, float64(statemachine.LambdaTimeoutSeconds), name)
			}
		}
	}
	walk(def["States"].(map[string]any))
	if checked == 0 {
		t.Skip("the definition invokes no function yet (placeholder)")
	}
}

func TestMessaging(t *testing.T) {
	for name, isSuccessful := range map[string]string{"SuccessfulTransactions": "true", "FailedTransactions": "false"} {
		t.Run(name, func(t *testing.T) {
			queue := dev.queues[name]
			assert.Equal(t, true, dev.props(queue)["SqsManagedSseEnabled"])
			assert.True(t, deniesInsecureTransport(dev.ofType("AWS::SQS::QueuePolicy"), "Queues", queue), "queue enforces SSL")

			var found bool
			for _, sub := range dev.ofType("AWS::SNS::Subscription") {
				p := props(sub)
				if !slices.Equal(refs(p["Endpoint"]), []string{queue}) {
					continue
				}
				found = true
				assert.Equal(t, "sqs", p["Protocol"])
				assert.Equal(t, ref(dev.outcomeTopic), p["TopicArn"])
				assert.Equal(t, map[string]any{OutcomeAttribute: []any{isSuccessful}}, p["FilterPolicy"])
			}
			assert.True(t, found, "%s is subscribed to the outcome topic", name)
		})
	}
	topicPolicies := dev.ofType("AWS::SNS::TopicPolicy")
	assert.True(t, deniesInsecureTransport(topicPolicies, "Topics", dev.outcomeTopic), "outcome topic enforces SSL")
	assert.True(t, deniesInsecureTransport(topicPolicies, "Topics", dev.alertsTopic), "alerts topic enforces SSL")

	// With a topic policy in place, CloudWatch alarms need an explicit allow to publish.
	var allowsAlarms bool
	for _, policy := range topicPolicies {
		p := props(policy)
		if !slices.Contains(refs(p["Topics"]), dev.alertsTopic) {
			continue
		}
		for _, st := range list(p["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Allow" && fmt.Sprint(st["Principal"]) == "map[Service:cloudwatch.amazonaws.com]" {
				allowsAlarms = true
			}
		}
	}
	assert.True(t, allowsAlarms, "CloudWatch may publish to OperatorAlerts")
}

func deniesInsecureTransport(policies map[string]map[string]any, targets, id string) bool {
	for _, policy := range policies {
		p := props(policy)
		if !slices.Contains(refs(p[targets]), id) {
			continue
		}
		for _, st := range list(p["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Deny" && fmt.Sprint(st["Condition"]) == "map[Bool:map[aws:SecureTransport:false]]" {
				return true
			}
		}
	}
	return false
}

func TestAlarms(t *testing.T) {
	filters := dev.ofType("AWS::Logs::MetricFilter")
	require.Len(t, filters, 1)
	var filter map[string]any
	for _, f := range filters {
		filter = props(f)
	}
	assert.Equal(t, `{ $.type = "FailStateEntered" && $.details.name = "FareNeedsAttention" }`, filter["FilterPattern"])
	stateMachineLogs := refs(dev.props(dev.stateMachine)["LoggingConfiguration"])
	assert.Equal(t, stateMachineLogs, refs(filter["LogGroupName"]), "filters the state machine's logs")
	transform := list(filter["MetricTransformations"])[0].(map[string]any)
	assert.Equal(t, MetricNamespace, transform["MetricNamespace"])

	metrics := map[string]map[string]any{}
	for id, alarm := range dev.ofType("AWS::CloudWatch::Alarm") {
		p := props(alarm)
		assert.Equal(t, []any{ref(dev.alertsTopic)}, p["AlarmActions"], id)
		assert.Equal(t, "GreaterThanOrEqualToThreshold", p["ComparisonOperator"], id)
		assert.EqualValues(t, 1, p["Threshold"], id)
		metrics[p["Namespace"].(string)+"/"+p["MetricName"].(string)] = p
	}
	for _, name := range []string{"ExecutionsFailed", "ExecutionsTimedOut"} {
		p, ok := metrics["AWS/States/"+name]
		if assert.True(t, ok, "alarm on %s", name) {
			assert.Equal(t, []any{map[string]any{"Name": "StateMachineArn", "Value": ref(dev.stateMachine)}}, p["Dimensions"])
		}
	}
	_, ok := metrics[MetricNamespace+"/"+transform["MetricName"].(string)]
	assert.True(t, ok, "alarm on the FareNeedsAttention metric")
}

func TestOutputs(t *testing.T) {
	want := map[string]string{
		"StateMachineArn":                dev.stateMachine,
		"FareOutcomeTopicArn":            dev.outcomeTopic,
		"OperatorAlertsTopicArn":         dev.alertsTopic,
		"SuccessfulTransactionsQueueUrl": dev.queues["SuccessfulTransactions"],
		"FailedTransactionsQueueUrl":     dev.queues["FailedTransactions"],
	}
	for _, spec := range tables.All() {
		want[spec.Name+"TableName"] = dev.tables[spec.Name]
	}
	assert.Len(t, dev.outputs, len(want))
	for name, id := range want {
		if assert.Contains(t, dev.outputs, name) {
			assert.Equal(t, ref(id), dev.outputs[name].(map[string]any)["Value"], name)
		}
	}
}

// --- stages -----------------------------------------------------------------------

func TestProdStage(t *testing.T) {
	for _, spec := range tables.All() {
		r := prod.resources[prod.tables[spec.Name]]
		assert.Equal(t, "Retain", r["DeletionPolicy"], spec.Name)
		assert.Equal(t, "Retain", r["UpdateReplacePolicy"], spec.Name)
		assert.Equal(t, true, props(r)["DeletionProtectionEnabled"], spec.Name)
	}
	for _, fn := range statemachine.Functions {
		env := prod.props(prod.functions[fn.Name])["Environment"].(map[string]any)["Variables"].(map[string]any)
		assert.Equal(t, "disabled", env[lambdaenv.FaultInjectionVar], fn.Name)
	}
	for id, r := range prod.ofType("AWS::Logs::LogGroup") {
		assert.EqualValues(t, 365, props(r)["RetentionInDays"], id)
		assert.Equal(t, "Retain", r["DeletionPolicy"], id)
	}
	for _, id := range prod.queues {
		assert.Equal(t, "Retain", prod.resources[id]["DeletionPolicy"], id)
	}
	logging := prod.props(prod.stateMachine)["LoggingConfiguration"].(map[string]any)
	assert.Equal(t, false, logging["IncludeExecutionData"])
	assert.Equal(t, "ALL", logging["Level"])
}

func TestParseStage(t *testing.T) {
	for in, want := range map[string]Stage{"": Dev, "dev": Dev, "prod": Prod} {
		got, err := ParseStage(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"staging", "Prod", " dev"} {
		_, err := ParseStage(in)
		assert.ErrorContains(t, err, "must be one of dev, prod", in)
	}
}

func TestStageFromContext(t *testing.T) {
	stageOf := func(ctx map[string]any) (Stage, error) {
		return StageFromContext(awscdk.NewApp(&awscdk.AppProps{Context: &ctx}))
	}
	stage, err := stageOf(map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, Dev, stage)

	stage, err = stageOf(map[string]any{StageContextKey: "prod"})
	require.NoError(t, err)
	assert.Equal(t, Prod, stage)

	_, err = stageOf(map[string]any{StageContextKey: "qa"})
	assert.ErrorContains(t, err, `unknown stage "qa"`)
	assert.ErrorContains(t, err, "dev, prod")
}

func TestInvalidStageFailsBeforeBuilding(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack, err := NewFareCollectionStack(app, "Invalid", &FareCollectionStackProps{Stage: "staging", AssetRoot: testAssets})
	assert.Nil(t, stack)
	assert.ErrorContains(t, err, "must be one of dev, prod")
	assert.Empty(t, *app.Node().Children(), "nothing was added to the app")
}

func TestMissingAssetsFailClearly(t *testing.T) {
	_, err := NewFareCollectionStack(awscdk.NewApp(nil), "NoAssets", &FareCollectionStackProps{AssetRoot: t.TempDir()})
	assert.ErrorContains(t, err, "no Lambda asset for "+statemachine.Functions[0].Name)
	assert.ErrorContains(t, err, "make build")
}

// The deployed definition, read back from the template: every forward Task retries and
// then catches everything into a compensation; every compensation retries everything and
// then escalates. (statemachine's own tests check the finer rules on the same text.)
func TestTemplateDefinitionRetriesAndCatches(t *testing.T) {
	var definition struct {
		States map[string]struct {
			Type  string
			Retry []struct{ ErrorEquals []string }
			Catch []struct {
				ErrorEquals []string
				Next        string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(dev.props(dev.stateMachine)["DefinitionString"].(string)), &definition))
	compensates := map[string]bool{}
	for _, fn := range statemachine.Functions {
		compensates[fn.State] = fn.Compensation
	}
	forward := []string{statemachine.RegisterFare, statemachine.PreAuthorizePayment, statemachine.ChargeFare,
		statemachine.CreditCustomerAccount, statemachine.SetFareStatusCompleted}
	for _, name := range forward {
		st := definition.States[name]
		require.NotEmpty(t, st.Retry, name)
		require.NotEmpty(t, st.Catch, name)
		last := st.Catch[len(st.Catch)-1]
		assert.Equal(t, []string{"States.ALL"}, last.ErrorEquals, name)
		assert.True(t, compensates[last.Next], "%s must be caught into a compensation, not %s", name, last.Next)
	}
	for _, fn := range statemachine.Functions {
		if !fn.Compensation {
			continue
		}
		st := definition.States[fn.State]
		require.Len(t, st.Retry, 1, fn.State)
		assert.Equal(t, []string{"States.ALL"}, st.Retry[0].ErrorEquals, fn.State)
		require.Len(t, st.Catch, 1, fn.State)
		assert.Equal(t, []string{"States.ALL"}, st.Catch[0].ErrorEquals, fn.State)
		assert.Equal(t, statemachine.MarkFareNeedsAttention, st.Catch[0].Next, fn.State)
	}
}
