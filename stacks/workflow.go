package stacks

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// addStateMachine creates the Standard workflow from statemachine.Definition, its log
// group, and a role that may invoke the eight functions, update the Fares table and
// publish to the outcome topic, and nothing else of this stack.
func (s *FareCollectionStack) addStateMachine(settings stageSettings) error {
	fares := s.Tables[tables.Fares.Name]
	values := map[string]*string{
		statemachine.FaresTableName:      fares.TableName(),
		statemachine.FareOutcomeTopicArn: s.FareOutcomeTopic.TopicArn(),
	}
	for _, fn := range statemachine.Functions {
		values[fn.SubstitutionKey] = s.Functions[fn.Name].FunctionArn()
	}
	substitutions, err := definitionSubstitutions(statemachine.Definition, statemachine.SubstitutionKeys(), values)
	if err != nil {
		return err
	}

	// Under /aws/vendedlogs/states/: Step Functions then delivers without adding the group
	// to the account's CloudWatch Logs resource policy, which is capped at 5,120 characters.
	logs := awslogs.NewLogGroup(s.Stack, jsii.String("StateMachineLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/vendedlogs/states/" + *s.StackName()),
		Retention:     settings.logRetention,
		RemovalPolicy: settings.removalPolicy,
	})
	s.StateMachine = awsstepfunctions.NewStateMachine(s.Stack, jsii.String("FareCollection"), &awsstepfunctions.StateMachineProps{
		StateMachineName:        s.StackName(),
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(statemachine.Definition)),
		DefinitionSubstitutions: &substitutions,
		TracingEnabled:          jsii.Bool(true),
		// The history is encrypted under our key: reading it takes kms:Decrypt, which only
		// the machine, the front door and operators get.
		EncryptionConfiguration: awsstepfunctions.NewCustomerManagedEncryptionConfiguration(
			s.ExecutionDataKey, awscdk.Duration_Seconds(jsii.Number(ExecutionDataKeyReuseSeconds))),
		// Every state's events, but no inputs, outputs or causes: a console start bypasses
		// the front door, and what it carries must not be copied into CloudWatch Logs.
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(false),
		},
	})

	var functionArns []*string
	for _, fn := range statemachine.Functions {
		functionArns = append(functionArns, s.Functions[fn.Name].FunctionArn())
	}
	for _, statement := range []*awsiam.PolicyStatementProps{
		{Sid: jsii.String("InvokeSagaFunctions"), Actions: jsii.Strings("lambda:InvokeFunction"), Resources: &functionArns},
		{Sid: jsii.String("UpdateFares"), Actions: jsii.Strings("dynamodb:UpdateItem"), Resources: &[]*string{fares.TableArn()}},
		{Sid: jsii.String("PublishFareOutcomes"), Actions: jsii.Strings("sns:Publish"), Resources: &[]*string{s.FareOutcomeTopic.TopicArn()}},
		// The topic is encrypted: a publisher needs the key, which the machine may use
		// through SNS and for nothing else.
		{Sid: jsii.String("EncryptFareOutcomes"), Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources:  &[]*string{s.OutcomeTopicKey.KeyArn()},
			Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "sns." + *s.Region() + ".amazonaws.com"}}},
	} {
		s.StateMachine.AddToRolePolicy(awsiam.NewPolicyStatement(statement))
	}
	s.stateMachineLogs = logs
	return nil
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// definitionSubstitutions returns the DefinitionSubstitutions for definition: a value
// for each of keys, taken from values. It fails when a key has no value, when values
// holds a key that is not one of keys, or when the definition has a placeholder that is
// not one of keys (CloudFormation would leave it in the deployed definition).
func definitionSubstitutions(definition string, keys []string, values map[string]*string) (map[string]*string, error) {
	var problems []string
	substitutions := map[string]*string{}
	var missing []string
	for _, key := range keys {
		if v := values[key]; v != nil {
			substitutions[key] = v
		} else {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "no value for "+strings.Join(missing, ", "))
	}
	var unexpected []string
	for key := range values {
		if !slices.Contains(keys, key) {
			unexpected = append(unexpected, key)
		}
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		problems = append(problems, "values for unknown keys "+strings.Join(unexpected, ", "))
	}
	var unknown []string
	for _, m := range placeholder.FindAllStringSubmatch(definition, -1) {
		if !slices.Contains(keys, m[1]) && !slices.Contains(unknown, m[1]) {
			unknown = append(unknown, m[1])
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		problems = append(problems, "the definition uses placeholders that are not substitution keys: "+strings.Join(unknown, ", "))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("state machine definition substitutions: %s", strings.Join(problems, "; "))
	}
	return substitutions, nil
}
