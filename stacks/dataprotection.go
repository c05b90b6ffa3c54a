package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/faresaga/faresaga/internal/tables"
)

// ExecutionDataKeyReuse is how long Step Functions reuses a data key of the
// customer-managed key before asking KMS for a new one (60 to 900 seconds): the shortest,
// so that disabling the key stops new reads of execution data within a minute.
const ExecutionDataKeyReuseSeconds = 60

// stateMachineEncryptionContext is the encryption context Step Functions passes to KMS for
// a state machine's data: grants conditioned on it cover this machine and nothing else.
const stateMachineEncryptionContext = "kms:EncryptionContext:aws:states:stateMachineArn"

// addExecutionDataKey creates the customer-managed key that encrypts the state machine's
// definition and executions (inputs, outputs and history). The default key policy gives
// the account's IAM the decision, so the grants are IAM policies on the roles that need
// the key, each conditioned on this machine's encryption context. The CDK adds the two it
// knows of when the machine takes the key: the machine's own role, and a key policy
// statement for CloudWatch Logs' vended delivery, which decrypts what the machine logs.
func (s *FareCollectionStack) addExecutionDataKey(settings stageSettings) {
	s.ExecutionDataKey = awskms.NewKey(s.Stack, jsii.String("ExecutionDataKey"), &awskms.KeyProps{
		Description:       jsii.String("faresaga " + string(s.Stage) + ": encrypts the fare-collection state machine's executions"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     settings.removalPolicy,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(settings.keyPendingWindowDays)),
	})
}

// executionDataStatement is what a principal needs of the key to act on this machine's
// executions: GenerateDataKey to start one, Decrypt to read one.
func (s *FareCollectionStack) executionDataStatement(sid string, actions ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(sid),
		Actions:    jsii.Strings(actions...),
		Resources:  &[]*string{s.ExecutionDataKey.KeyArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{stateMachineEncryptionContext: s.StateMachine.StateMachineArn()}},
	})
}

// addOperatorsPolicy is the managed policy for people who look after fares: read the
// machine's executions and histories (decrypting them), and the tables; ask the front
// door where a fare stands, and resume a stuck one. It starts, stops and changes nothing
// itself: fares start through the front door, and a resume goes through it too, which
// takes the fare back before it redrives.
func (s *FareCollectionStack) addOperatorsPolicy() {
	executions := s.executionsArn()
	var tableArns []*string
	for _, spec := range tables.All() { // in a fixed order: a map's would change the template each synth
		tableArns = append(tableArns, s.Tables[spec.Name].TableArn())
	}
	s.OperatorsPolicy = awsiam.NewManagedPolicy(s.Stack, jsii.String("FareOperatorsPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("faresaga " + string(s.Stage) + ": read the fare-collection executions, their history and the tables"),
		Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadStateMachine"),
				Actions:   jsii.Strings("states:DescribeStateMachine", "states:ListExecutions"),
				Resources: &[]*string{s.StateMachine.StateMachineArn()},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadExecutions"),
				Actions:   jsii.Strings("states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeStateMachineForExecution"),
				Resources: &[]*string{executions},
			}),
			s.executionDataStatement("DecryptExecutionData", "kms:Decrypt"),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:     jsii.String("AskAndResumeThroughTheFrontDoor"),
				Actions: jsii.Strings("execute-api:Invoke"),
				Resources: &[]*string{
					s.FareAPI.ArnForExecuteApi(jsii.String("GET"), jsii.String("/fares/*"), nil),
					s.FareAPI.ArnForExecuteApi(jsii.String("POST"), jsii.String("/fares/*/resume"), nil),
				},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadTables"),
				Actions:   jsii.Strings("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"),
				Resources: &tableArns,
			}),
		},
	})
}

// executionsArn matches every execution of the state machine.
func (s *FareCollectionStack) executionsArn() *string {
	return s.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("states"),
		Resource:     jsii.String("execution"),
		ResourceName: jsii.String(*s.StackName() + ":*"),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
}
