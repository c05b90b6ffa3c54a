package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/faresaga/faresaga/internal/tables"
)

// DefaultAssetRoot is where `make build` puts build/<function>/bootstrap.
const DefaultAssetRoot = "build"

// FareCollectionStackProps configures the stack.
type FareCollectionStackProps struct {
	awscdk.StackProps
	// Stage is dev or prod; "" means dev.
	Stage Stage
	// Architecture of the functions; "" means arm64, the only one for AWS.
	Architecture Architecture
	// AssetRoot holds one directory per function, <AssetRoot>/<name>/bootstrap.
	// Default: Architecture.AssetRoot(), relative to the working directory.
	AssetRoot string
	// Gateway is the payment functions' gateway; "" means SimulatedGateway.
	Gateway Gateway
	// StripeSecretName names an existing secret holding Stripe's API key, with the
	// Stripe gateway; "" has the stack create an empty one.
	StripeSecretName string
}

// FareCollectionStack is the deployed saga: the stack and the constructs tests and
// callers may want to reach.
type FareCollectionStack struct {
	awscdk.Stack
	Stage        Stage
	Architecture Architecture
	// Tables by logical name (tables.Spec.Name).
	Tables map[string]awsdynamodb.Table
	// Functions by name (statemachine.Function.Name).
	Functions              map[string]awslambda.Function
	StateMachine           awsstepfunctions.StateMachine
	FareOutcomeTopic       awssns.Topic
	OperatorAlertsTopic    awssns.Topic
	SuccessfulTransactions awssqs.Queue
	FailedTransactions     awssqs.Queue
	// The outcome queues' dead-letter queues, shared with their subscriptions.
	SuccessfulTransactionsDeadLetters awssqs.Queue
	FailedTransactionsDeadLetters     awssqs.Queue
	// OutcomeTopicKey encrypts the outcome topic, OutcomeQueuesKey its queues (both
	// customer managed).
	OutcomeTopicKey  awskms.Key
	OutcomeQueuesKey awskms.Key
	// ExecutionDataKey encrypts the state machine's executions (customer managed).
	ExecutionDataKey awskms.Key
	// FrontDoor is the fare API's function, the only principal that starts executions.
	FrontDoor awslambda.Function
	FareAPI   awsapigatewayv2.HttpApi
	// Watcher is the attention watcher, invoked by EventBridge for stopped executions;
	// WatcherDeadLetters keeps what it could not handle.
	Watcher            awslambda.Function
	WatcherDeadLetters awssqs.Queue
	// OperatorsPolicy lets people read executions, histories and tables.
	OperatorsPolicy awsiam.ManagedPolicy

	stateMachineLogs awslogs.LogGroup
	needsAttention   awslogs.MetricFilter
	// lambdas are every function newFunction built, the front door included.
	lambdas []awslambda.Function
}

// NewFareCollectionStack builds the stack in scope. It fails, before creating anything,
// on an unknown stage or a missing Lambda asset, and fails when the definition's
// substitutions cannot all be filled.
func NewFareCollectionStack(scope constructs.Construct, id string, props *FareCollectionStackProps) (*FareCollectionStack, error) {
	if props == nil {
		props = &FareCollectionStackProps{}
	}
	stage, err := ParseStage(string(props.Stage))
	if err != nil {
		return nil, err
	}
	architecture, err := ParseArchitecture(string(props.Architecture))
	if err != nil {
		return nil, err
	}
	assetRoot := props.AssetRoot
	if assetRoot == "" {
		assetRoot = architecture.AssetRoot()
	}
	assets, err := functionAssets(assetRoot)
	if err != nil {
		return nil, err
	}
	doorAsset, err := asset(assetRoot, FrontDoorFunction)
	if err != nil {
		return nil, err
	}
	watcherAsset, err := asset(assetRoot, WatcherFunction)
	if err != nil {
		return nil, err
	}

	stackProps := props.StackProps
	if stackProps.Description == nil {
		stackProps.Description = jsii.String(fmt.Sprintf("faresaga: fare-collection saga (%s)", stage))
	}

	s := &FareCollectionStack{
		Stack:        awscdk.NewStack(scope, jsii.String(id), &stackProps),
		Stage:        stage,
		Architecture: architecture,
		Tables:       map[string]awsdynamodb.Table{},
		Functions:    map[string]awslambda.Function{},
	}
	s.Node().SetContext(jsii.String(snsDeliveryKeyPolicyFlag), true)
	settings := stage.settings()
	s.addTables(settings)
	s.addFunctions(settings, assets)
	if props.Gateway == StripeGateway {
		s.useStripe(settings, props.StripeSecretName)
	}
	s.addMessaging(settings)
	s.addExecutionDataKey(settings)
	if err := s.addStateMachine(settings); err != nil {
		return nil, err
	}
	s.addFrontDoor(settings, doorAsset)
	s.addWatcher(settings, watcherAsset)
	s.addOperatorsPolicy()
	s.addAlarms()
	s.addOutputs()
	s.addNagSuppressions()
	return s, nil
}

func (s *FareCollectionStack) addOutputs() {
	output := func(id string, value *string, description string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{
			Value:       value,
			Description: jsii.String(description),
		})
	}
	output("FareApiUrl", s.FareAPI.ApiEndpoint(), "The front door: POST /fares, GET /fares/{fareId} (IAM authorisation, SigV4 service execute-api)")
	output("StateMachineArn", s.StateMachine.StateMachineArn(), "The fare-collection state machine")
	output("ExecutionDataKeyArn", s.ExecutionDataKey.KeyArn(), "The customer-managed KMS key of the state machine's executions")
	output("OperatorsPolicyArn", s.OperatorsPolicy.ManagedPolicyArn(), "Attach to operators' roles: read executions, histories and tables")
	for _, spec := range tables.All() {
		output(spec.Name+"TableName", s.Tables[spec.Name].TableName(), "The "+spec.Name+" table")
	}
	output("FareOutcomeTopicArn", s.FareOutcomeTopic.TopicArn(), "Fare outcomes, published by the state machine")
	output("OperatorAlertsTopicArn", s.OperatorAlertsTopic.TopicArn(), "Alarm notifications for operators")
	output("SuccessfulTransactionsQueueUrl", s.SuccessfulTransactions.QueueUrl(), "Fare outcomes with IsSuccessful=true")
	output("FailedTransactionsQueueUrl", s.FailedTransactions.QueueUrl(), "Fare outcomes with IsSuccessful=false")
}
