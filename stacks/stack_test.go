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
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
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
	template  map[string]any // the whole template, as CloudFormation gets it
	nag       nagResults
	resources map[string]map[string]any // logical id -> resource
	outputs   map[string]any

	tables       map[string]string // tables.Spec.Name -> logical id
	functions    map[string]string // statemachine.Function.Name -> logical id
	stateMachine string
	outcomeTopic string
	alertsTopic  string
	queues       map[string]string // SuccessfulTransactions / FailedTransactions -> logical id
	deadLetters  map[string]string // the same names -> their dead-letter queue's logical id
	dataKey      string
	operators    string
	frontDoor    string
	watcher      string
	fareAPI      string

	outcomeTopicKey, outcomeQueuesKey string
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

// synthesize builds stage's stack in an app of its own (an app synthesizes once), with
// cdk-nag's AwsSolutions and Serverless packs applied, as the nag tests read them.
func synthesize(stage Stage) (*synthesized, error) {
	return synthesizeProps(&FareCollectionStackProps{Stage: stage, AssetRoot: testAssets})
}

func synthesizeProps(p *FareCollectionStackProps) (*synthesized, error) {
	stage := cmp.Or(p.Stage, Dev)
	app := awscdk.NewApp(nil)
	addNagPacks(app)
	stack, err := NewFareCollectionStack(app, StackID(stage), p)
	if err != nil {
		return nil, fmt.Errorf("build %s stack: %w", stage, err)
	}
	tpl := assertions.Template_FromStack(stack.Stack, nil)
	raw := *tpl.ToJSON()
	s := &synthesized{
		stack:        stack,
		assert:       tpl,
		template:     raw,
		nag:          readNag(stack),
		resources:    map[string]map[string]any{},
		outputs:      raw["Outputs"].(map[string]any),
		tables:       map[string]string{},
		functions:    map[string]string{},
		queues:       map[string]string{},
		deadLetters:  map[string]string{},
		stateMachine: logicalID(stack.Stack, stack.StateMachine),
		outcomeTopic: logicalID(stack.Stack, stack.FareOutcomeTopic),
		alertsTopic:  logicalID(stack.Stack, stack.OperatorAlertsTopic),
		dataKey:      logicalID(stack.Stack, stack.ExecutionDataKey),
		frontDoor:    logicalID(stack.Stack, stack.FrontDoor),
		watcher:      logicalID(stack.Stack, stack.Watcher),
		fareAPI:      logicalID(stack.Stack, stack.FareAPI),
		operators:    logicalID(stack.Stack, stack.OperatorsPolicy),
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
	s.deadLetters["SuccessfulTransactions"] = logicalID(stack.Stack, stack.SuccessfulTransactionsDeadLetters)
	s.deadLetters["FailedTransactions"] = logicalID(stack.Stack, stack.FailedTransactionsDeadLetters)
	s.outcomeTopicKey = logicalID(stack.Stack, stack.OutcomeTopicKey)
	s.outcomeQueuesKey = logicalID(stack.Stack, stack.OutcomeQueuesKey)
	return s, nil
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
	condition any
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
			out = append(out, statement{actions: actions, resources: st["Resource"], condition: st["Condition"]})
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
		"AWS::Lambda::Function":            len(statemachine.Functions) + 2, // and the front door and the watcher
		"AWS::Events::Rule":                1,
		"AWS::ApiGatewayV2::Api":           1,
		"AWS::ApiGatewayV2::Route":         len(FrontDoorRoutes),
		"AWS::KMS::Key":                    3, // executions, outcome topic, outcome queues
		"AWS::IAM::ManagedPolicy":          1,
		"AWS::DynamoDB::Table":             len(tables.All()),
		"AWS::SQS::Queue":                  5, // two outcome queues and their dead-letter queues, the watcher's
		"AWS::SNS::Topic":                  2,
		"AWS::SNS::Subscription":           2,
		"AWS::CloudWatch::Alarm":           6,
		"AWS::Logs::MetricFilter":          1,
		"AWS::Logs::LogGroup":              len(statemachine.Functions) + 4, // the machine's, the door's, the watcher's, the API's access log
		"AWS::IAM::Role":                   len(statemachine.Functions) + 3, // one per function, the door's, the watcher's, the machine's
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

// Each function's role has no managed policy and exactly three kinds of statement: write
// to the function's own log group, send traces (X-Ray, the only statement on "*"), and
// the DynamoDB actions functionTableActions lists on each of its own tables
// (statemachine.Functions[i].Tables), on the table itself.
func TestFunctionPoliciesTouchOnlyOwnTables(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		for _, fn := range statemachine.Functions {
			t.Run(string(s.stack.Stage)+"/"+fn.Name, func(t *testing.T) {
				p := s.props(s.functions[fn.Name])
				role := refs(p["Role"])
				require.Len(t, role, 1)
				assert.NotContains(t, s.props(role[0]), "ManagedPolicyArns", "no managed policy: AWSLambdaBasicExecutionRole writes to every log group")

				want := map[string][]string{} // table logical id -> actions
				for _, spec := range fn.Tables {
					actions := functionTableActions[fn.Name][spec.Name]
					require.NotEmpty(t, actions, "functionTableActions has no actions of %s on %s", fn.Name, spec.Name)
					want[s.tables[spec.Name]] = sorted(actions)
				}
				got := map[string][]string{}
				for _, st := range s.roleStatements(t, p["Role"]) {
					for _, action := range st.actions {
						service, _, _ := strings.Cut(action, ":")
						switch service {
						case "dynamodb":
							tables := refs(st.resources)
							require.Len(t, tables, 1, "%s: one table per statement, by ARN: %v", action, st.resources)
							assert.Equal(t, arnOf(tables[0]), st.resources, "%s on the table itself", action)
							got[tables[0]] = append(got[tables[0]], action)
						case "logs":
							assert.Equal(t, refs(p["LoggingConfig"]), refs(st.resources), "%s only on the function's own log group", action)
							assert.Contains(t, []string{"logs:CreateLogStream", "logs:PutLogEvents"}, action)
						case "xray":
							assert.Equal(t, "*", st.resources, "X-Ray takes no resource")
						default:
							t.Errorf("unexpected action %s on %v", action, st.resources)
						}
						if st.resources == "*" {
							assert.Equal(t, "xray", service, "%s on every resource", action)
						}
					}
				}
				for table := range got {
					got[table] = sorted(got[table])
				}
				assert.Equal(t, want, got)
			})
		}
	}
}

// Every saga function reserves the stage's concurrency, the door the API's burst limit;
// the two stages together leave the account the 100 unreserved executions Lambda
// insists on, even in one account of the default quota (1000).
func TestFunctionsReserveConcurrency(t *testing.T) {
	total := 0.0
	for _, s := range []*synthesized{dev, prod} {
		want := float64(devReservedConcurrency)
		if s.stack.Stage == Prod {
			want = prodReservedConcurrency
		}
		for id, fn := range s.ofType("AWS::Lambda::Function") {
			reserved := props(fn)["ReservedConcurrentExecutions"]
			switch id {
			case s.frontDoor:
				assert.EqualValues(t, FrontDoorBurstLimit, reserved, "%s: the door takes what the API lets in", s.stack.Stage)
			case s.watcher:
				assert.EqualValues(t, WatcherReservedFunction, reserved, "%s: one status change per stopped execution", s.stack.Stage)
			default:
				assert.EqualValues(t, want, reserved, "%s %s", s.stack.Stage, id)
			}
			total += reserved.(float64)
		}
	}
	assert.LessOrEqual(t, total, 1000.0-100, "both stages fit one account of the default quota")
}

// Every function of the stack, the door included, has a role of its own with no managed
// policy, writes only to its own log group, and has "*" only for X-Ray.
func TestEveryFunctionWritesOnlyItsOwnLogs(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		functions := s.ofType("AWS::Lambda::Function")
		require.Len(t, functions, len(statemachine.Functions)+2, "the saga's, the door and the watcher")
		roles := map[string]bool{}
		for id, fn := range functions {
			p := props(fn)
			role := refs(p["Role"])
			require.Len(t, role, 1)
			assert.False(t, roles[role[0]], "%s shares its role", id)
			roles[role[0]] = true
			assert.NotContains(t, s.props(role[0]), "ManagedPolicyArns", "%s: no managed policy", id)
			var logs int
			for _, st := range s.roleStatements(t, p["Role"]) {
				for _, action := range st.actions {
					service, _, _ := strings.Cut(action, ":")
					if service == "logs" {
						logs++
						assert.Equal(t, refs(p["LoggingConfig"]), refs(st.resources), "%s: %s only on its own log group", id, action)
					}
					if st.resources == "*" {
						assert.Equal(t, "xray", service, "%s: %s on every resource", id, action)
					}
				}
			}
			assert.Equal(t, 2, logs, "%s: CreateLogStream and PutLogEvents", id)
		}
	}
}

// The arm64 build is what AWS gets; the x86_64 one, for LocalStack on an x86 host, is a
// context flag away and changes only the functions' architecture and assets.
func TestArchitecture(t *testing.T) {
	for _, fn := range dev.ofType("AWS::Lambda::Function") {
		assert.Equal(t, []any{"arm64"}, props(fn)["Architectures"])
	}
	for in, want := range map[string]Architecture{"": ARM64, "arm64": ARM64, "x86_64": X86_64} {
		got, err := ParseArchitecture(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseArchitecture("amd64")
	assert.ErrorContains(t, err, "must be arm64 or x86_64")

	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{ArchitectureContextKey: "x86_64"}})
	arch, err := ArchitectureFromContext(app)
	require.NoError(t, err)
	assert.Equal(t, X86_64, arch)
	assert.Equal(t, "build/x86_64", arch.AssetRoot())
	assert.Equal(t, "build", ARM64.AssetRoot())
	// Built, not synthesized: the functions' properties are there before synthesis.
	stack, err := NewFareCollectionStack(app, "X86", &FareCollectionStackProps{Architecture: arch, AssetRoot: testAssets})
	require.NoError(t, err)
	require.Len(t, stack.lambdas, len(statemachine.Functions)+2, "the saga's functions, the door and the watcher")
	for _, fn := range stack.lambdas {
		cfn := fn.Node().DefaultChild().(awslambda.CfnFunction)
		assert.Equal(t, []*string{jsii.String("x86_64")}, *cfn.Architectures(), *fn.Node().Id())
	}
}

func TestStateMachine(t *testing.T) {
	p := dev.props(dev.stateMachine)
	assert.Equal(t, "STANDARD", p["StateMachineType"])
	assert.Equal(t, map[string]any{"Enabled": true}, p["TracingConfiguration"])
	assert.Equal(t, statemachine.Definition, p["DefinitionString"], "the definition goes through verbatim")

	logging := p["LoggingConfiguration"].(map[string]any)
	assert.Equal(t, "ALL", logging["Level"])
	logs := refs(logging["Destinations"])
	require.Len(t, logs, 1)
	assert.EqualValues(t, 30, dev.props(logs[0])["RetentionInDays"])
	assert.Equal(t, "/aws/vendedlogs/states/"+StackID(Dev), dev.props(logs[0])["LogGroupName"],
		"vended logs need no entry in the account's CloudWatch Logs resource policy")
}

// What a console start carries stays in the (encrypted) history: no stage copies
// inputs, outputs or causes into CloudWatch Logs.
func TestNoStageLogsExecutionData(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		logging := s.props(s.stateMachine)["LoggingConfiguration"].(map[string]any)
		assert.Equal(t, false, logging["IncludeExecutionData"], s.stack.Stage)
		assert.Equal(t, "ALL", logging["Level"], s.stack.Stage)
	}
}

// Executions are encrypted with the stack's customer-managed key, which rotates; only the
// machine, the front door and the operators' policy may use it, for this machine only.
func TestExecutionsAreEncryptedWithACustomerManagedKey(t *testing.T) {
	for _, s := range []*synthesized{dev, prod} {
		t.Run(string(s.stack.Stage), func(t *testing.T) {
			enc := s.props(s.stateMachine)["EncryptionConfiguration"].(map[string]any)
			assert.Equal(t, "CUSTOMER_MANAGED_KMS_KEY", enc["Type"])
			assert.Equal(t, []string{s.dataKey}, refs(enc["KmsKeyId"]))
			assert.EqualValues(t, ExecutionDataKeyReuseSeconds, enc["KmsDataKeyReusePeriodSeconds"])
			assert.Equal(t, true, s.props(s.dataKey)["EnableKeyRotation"])

			users := map[string][]string{} // policy logical id -> KMS actions on the key
			for id, policy := range s.resources {
				if policy["Type"] != "AWS::IAM::Policy" && policy["Type"] != "AWS::IAM::ManagedPolicy" {
					continue
				}
				for _, st := range list(props(policy)["PolicyDocument"].(map[string]any)["Statement"]) {
					st := st.(map[string]any)
					if !slices.Contains(refs(st["Resource"]), s.dataKey) {
						continue
					}
					condition := fmt.Sprint(st["Condition"])
					assert.True(t, strings.Contains(condition, "kms:EncryptionContext:aws:states:stateMachineArn") ||
						strings.Contains(condition, "kms:EncryptionContext:SourceArn"), "%s: the key only for this machine: %v", id, condition)
					for _, a := range list(st["Action"]) {
						users[id] = append(users[id], a.(string))
					}
				}
			}
			var roles []string
			for id := range users {
				if s.resources[id]["Type"] == "AWS::IAM::Policy" {
					roles = append(roles, refs(props(s.resources[id])["Roles"])...)
				} else {
					assert.Equal(t, s.operators, id)
					assert.Equal(t, []string{"kms:Decrypt"}, users[id], "operators read, nothing else")
				}
			}
			machineRole := refs(s.props(s.stateMachine)["RoleArn"])
			doorRole := refs(s.props(s.frontDoor)["Role"])
			watcherRole := refs(s.props(s.watcher)["Role"])
			assert.ElementsMatch(t, slices.Concat(machineRole, doorRole, watcherRole), slices.Compact(sorted(roles)), "only the machine, the door and the watcher use the key")
		})
	}
}

// The state machine may invoke the eight functions, update the Fares table and publish
// to the outcome topic; beyond that only logs delivery and X-Ray.
func TestStateMachineRole(t *testing.T) {
	var invoked, updated, published []string
	var encryptsOutcomes bool
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
			case service == "kms" && slices.Equal(refs(st.resources), []string{dev.outcomeTopicKey}):
				// Publishing to the encrypted topic, through SNS only.
				assert.Equal(t, []string{"kms:GenerateDataKey", "kms:Decrypt"}, st.actions)
				assert.Contains(t, fmt.Sprint(st.condition), "kms:ViaService")
				encryptsOutcomes = true
			case service == "kms":
				assert.Equal(t, []string{dev.dataKey}, refs(st.resources), "%s: the execution data key or the outcome topic's", action)
			case service == "logs" || service == "xray":
			default:
				t.Errorf("unexpected action %s on %v", action, st.resources)
			}
		}
	}
	assert.Equal(t, values(dev.functions), sorted(invoked))
	assert.Equal(t, []string{dev.tables[tables.Fares.Name]}, updated)
	assert.Equal(t, []string{dev.outcomeTopic}, published)
	assert.True(t, encryptsOutcomes, "the machine may encrypt what it publishes")
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
	// The topic and the queues are encrypted under keys of their own, which rotate.
	assert.Equal(t, arnOf(dev.outcomeTopicKey), dev.props(dev.outcomeTopic)["KmsMasterKeyId"])
	for _, key := range []string{dev.outcomeTopicKey, dev.outcomeQueuesKey} {
		assert.Equal(t, true, dev.props(key)["EnableKeyRotation"], key)
	}
	// SNS may use the queues' key for this topic's deliveries only.
	var snsStatements int
	for _, st := range list(dev.props(dev.outcomeQueuesKey)["KeyPolicy"].(map[string]any)["Statement"]) {
		st := st.(map[string]any)
		if fmt.Sprint(st["Principal"]) != "map[Service:sns.amazonaws.com]" {
			continue
		}
		snsStatements++
		assert.Equal(t, map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ref(dev.outcomeTopic)}}, st["Condition"])
	}
	assert.NotZero(t, snsStatements, "SNS may deliver into the encrypted queues")
	for _, st := range list(dev.props(dev.outcomeTopicKey)["KeyPolicy"].(map[string]any)["Statement"]) {
		assert.NotContains(t, fmt.Sprint(st), "sns.amazonaws.com", "the topic's key is for publishers, through IAM")
	}

	for name, isSuccessful := range map[string]string{"SuccessfulTransactions": "true", "FailedTransactions": "false"} {
		t.Run(name, func(t *testing.T) {
			queue, deadLetters := dev.queues[name], dev.deadLetters[name]
			queuePolicies := dev.ofType("AWS::SQS::QueuePolicy")
			for _, q := range []string{queue, deadLetters} {
				assert.Equal(t, arnOf(dev.outcomeQueuesKey), dev.props(q)["KmsMasterKeyId"], q)
				assert.True(t, deniesInsecureTransport(queuePolicies, "Queues", q), "%s enforces SSL", q)
			}
			assert.Equal(t, map[string]any{"deadLetterTargetArn": arnOf(deadLetters), "maxReceiveCount": float64(OutcomeDeadLetterMaxReceives)},
				dev.props(queue)["RedrivePolicy"], "a message no consumer deletes ends in the dead-letter queue")

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
				assert.Equal(t, map[string]any{"deadLetterTargetArn": arnOf(deadLetters)}, p["RedrivePolicy"],
					"a message SNS cannot deliver ends in the same dead-letter queue")
			}
			assert.True(t, found, "%s is subscribed to the outcome topic", name)
			assert.True(t, allowsSNSToSend(queuePolicies, deadLetters, dev.outcomeTopic), "the topic may dead-letter into %s", deadLetters)
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

func allowsSNSToSend(policies map[string]map[string]any, queue, topic string) bool {
	for _, policy := range policies {
		p := props(policy)
		if !slices.Contains(refs(p["Queues"]), queue) {
			continue
		}
		for _, st := range list(p["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Allow" && st["Action"] == "sqs:SendMessage" &&
				fmt.Sprint(st["Principal"]) == "map[Service:sns.amazonaws.com]" &&
				fmt.Sprint(st["Condition"]) == fmt.Sprint(map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ref(topic)}}) {
				return true
			}
		}
	}
	return false
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

// What needs a person alarms: a fare marked NEEDS_ATTENTION (the watcher's log line), an
// aborted or timed-out execution, a status change the watcher could not handle, an
// outcome nobody received. A failed execution as such does not: a compensated decline
// fails too, and must page nobody.
func TestAlarms(t *testing.T) {
	filters := dev.ofType("AWS::Logs::MetricFilter")
	require.Len(t, filters, 1)
	var filter map[string]any
	for _, f := range filters {
		filter = props(f)
	}
	assert.Equal(t, `{ $.msg = "fare needs attention" }`, filter["FilterPattern"])
	assert.Equal(t, refs(dev.props(dev.watcher)["LoggingConfig"]), refs(filter["LogGroupName"]), "filters the watcher's logs")
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
	for _, name := range []string{"ExecutionsAborted", "ExecutionsTimedOut"} {
		p, ok := metrics["AWS/States/"+name]
		if assert.True(t, ok, "alarm on %s", name) {
			assert.Equal(t, []any{map[string]any{"Name": "StateMachineArn", "Value": ref(dev.stateMachine)}}, p["Dimensions"])
		}
	}
	assert.NotContains(t, metrics, "AWS/States/ExecutionsFailed", "a compensated business failure pages nobody")
	_, ok := metrics[MetricNamespace+"/"+transform["MetricName"].(string)]
	assert.True(t, ok, "alarm on the FareNeedsAttention metric")

	// A message in a dead-letter queue is one a consumer never got: the first one alarms.
	watched := map[string]bool{}
	for _, alarm := range dev.ofType("AWS::CloudWatch::Alarm") {
		p := props(alarm)
		if p["Namespace"] == "AWS/SQS" && p["MetricName"] == "ApproximateNumberOfMessagesVisible" {
			assert.Equal(t, "Maximum", p["Statistic"])
			for _, id := range refs(p["Dimensions"]) {
				watched[id] = true
			}
		}
	}
	assert.Equal(t, map[string]bool{dev.deadLetters["SuccessfulTransactions"]: true, dev.deadLetters["FailedTransactions"]: true,
		logicalID(dev.stack.Stack, dev.stack.WatcherDeadLetters): true}, watched)
}

// EventBridge hands the watcher every execution of this machine that ends FAILED,
// ABORTED or TIMED_OUT, retrying for a day into a dead-letter queue; the watcher may
// read histories, mark fares and alert, and nothing more.
func TestTheWatcherHearsStoppedExecutions(t *testing.T) {
	rules := dev.ofType("AWS::Events::Rule")
	require.Len(t, rules, 1)
	for _, rule := range rules {
		p := props(rule)
		pattern := p["EventPattern"].(map[string]any)
		assert.Equal(t, []any{"aws.states"}, pattern["source"])
		assert.Equal(t, []any{"Step Functions Execution Status Change"}, pattern["detail-type"])
		detail := pattern["detail"].(map[string]any)
		assert.Equal(t, []any{"FAILED", "ABORTED", "TIMED_OUT"}, detail["status"])
		assert.Equal(t, []any{ref(dev.stateMachine)}, detail["stateMachineArn"])
		targets := list(p["Targets"])
		require.Len(t, targets, 1)
		target := targets[0].(map[string]any)
		assert.Equal(t, arnOf(dev.watcher), target["Arn"])
		assert.EqualValues(t, WatcherEventRetries, target["RetryPolicy"].(map[string]any)["MaximumRetryAttempts"])
		assert.Equal(t, arnOf(logicalID(dev.stack.Stack, dev.stack.WatcherDeadLetters)), target["DeadLetterConfig"].(map[string]any)["Arn"])
	}
	got := map[string]bool{}
	for _, st := range dev.roleStatements(t, dev.props(dev.watcher)["Role"]) {
		for _, action := range st.actions {
			got[action] = true
		}
	}
	for _, want := range []string{"states:GetExecutionHistory", "kms:Decrypt", "sns:Publish", "dynamodb:GetItem", "dynamodb:UpdateItem"} {
		assert.True(t, got[want], want)
	}
	for action := range got {
		service, _, _ := strings.Cut(action, ":")
		assert.Contains(t, []string{"states", "kms", "sns", "dynamodb", "logs", "xray", "sqs"}, service, action)
		assert.NotContains(t, []string{"states:StartExecution", "states:RedriveExecution", "states:StopExecution"}, action, "the watcher never starts, resumes or stops")
	}
}

func TestOutputs(t *testing.T) {
	want := map[string]string{
		"StateMachineArn":                dev.stateMachine,
		"OperatorsPolicyArn":             dev.operators,
		"FareOutcomeTopicArn":            dev.outcomeTopic,
		"OperatorAlertsTopicArn":         dev.alertsTopic,
		"SuccessfulTransactionsQueueUrl": dev.queues["SuccessfulTransactions"],
		"FailedTransactionsQueueUrl":     dev.queues["FailedTransactions"],
	}
	for _, spec := range tables.All() {
		want[spec.Name+"TableName"] = dev.tables[spec.Name]
	}
	assert.Len(t, dev.outputs, len(want)+2)
	api := dev.outputs["FareApiUrl"].(map[string]any)["Value"]
	assert.Contains(t, refs(api), dev.fareAPI, "the door's URL")
	assert.Equal(t, arnOf(dev.dataKey), dev.outputs["ExecutionDataKeyArn"].(map[string]any)["Value"])
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
	forward := []string{statemachine.RegisterFare, statemachine.PreAuthorizePayment, statemachine.ChargeFare,
		statemachine.CreditCustomerAccount, statemachine.SetFareStatusCompleted}
	for _, name := range forward {
		st := definition.States[name]
		require.NotEmpty(t, st.Retry, name)
		require.NotEmpty(t, st.Catch, name)
		last := st.Catch[len(st.Catch)-1]
		assert.Equal(t, []string{"States.ALL"}, last.ErrorEquals, name)
		assert.True(t, statemachine.IsCompensation(last.Next), "%s must be caught into a compensation, not %s", name, last.Next)
	}
	for _, fn := range statemachine.Functions {
		if !fn.Compensation {
			continue
		}
		st := definition.States[fn.State]
		require.Len(t, st.Retry, 1, fn.State)
		assert.Equal(t, []string{"States.ALL"}, st.Retry[0].ErrorEquals, fn.State)
		assert.Empty(t, st.Catch, "%s fails the execution in place, where a redrive resumes it", fn.State)
	}
}

// Two synths of one stage give one template: a diff between deploys then shows only
// what changed, and a map iterated while building the stack cannot reorder a policy.
func TestSynthIsDeterministic(t *testing.T) {
	for range 3 {
		again, err := synthesize(Dev)
		require.NoError(t, err)
		require.Equal(t, template(t, dev), template(t, again))
	}
}
