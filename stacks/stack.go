package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
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
	// AssetRoot holds one directory per function, <AssetRoot>/<name>/bootstrap.
	// Default: DefaultAssetRoot, relative to the working directory.
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
	Stage Stage
	// Tables by logical name (tables.Spec.Name).
	Tables map[string]awsdynamodb.Table
	// Functions by name (statemachine.Function.Name).
	Functions              map[string]awslambda.Function
	StateMachine           awsstepfunctions.StateMachine
	FareOutcomeTopic       awssns.Topic
	OperatorAlertsTopic    awssns.Topic
	SuccessfulTransactions awssqs.Queue
	FailedTransactions     awssqs.Queue

	stateMachineLogs awslogs.LogGroup
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
	assetRoot := props.AssetRoot
	if assetRoot == "" {
		assetRoot = DefaultAssetRoot
	}
	assets, err := functionAssets(assetRoot)
	if err != nil {
		return nil, err
	}
	stackProps := props.StackProps
	if stackProps.Description == nil {
		stackProps.Description = jsii.String(fmt.Sprintf("faresaga: fare-collection saga (%s)", stage))
	}

	s := &FareCollectionStack{
		Stack:     awscdk.NewStack(scope, jsii.String(id), &stackProps),
		Stage:     stage,
		Tables:    map[string]awsdynamodb.Table{},
		Functions: map[string]awslambda.Function{},
	}
	settings := stage.settings()
	s.addTables(settings)
	s.addFunctions(settings, assets)
	if props.Gateway == StripeGateway {
		s.useStripe(settings, props.StripeSecretName)
	}
	s.addMessaging(settings)
	if err := s.addStateMachine(settings); err != nil {
		return nil, err
	}
	s.addAlarms()
	s.addOutputs()
	return s, nil
}

func (s *FareCollectionStack) addOutputs() {
	output := func(id string, value *string, description string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{
			Value:       value,
			Description: jsii.String(description),
		})
	}
	output("StateMachineArn", s.StateMachine.StateMachineArn(), "The fare-collection state machine")
	for _, spec := range tables.All() {
		output(spec.Name+"TableName", s.Tables[spec.Name].TableName(), "The "+spec.Name+" table")
	}
	output("FareOutcomeTopicArn", s.FareOutcomeTopic.TopicArn(), "Fare outcomes, published by the state machine")
	output("OperatorAlertsTopicArn", s.OperatorAlertsTopic.TopicArn(), "Alarm notifications for operators")
	output("SuccessfulTransactionsQueueUrl", s.SuccessfulTransactions.QueueUrl(), "Fare outcomes with IsSuccessful=true")
	output("FailedTransactionsQueueUrl", s.FailedTransactions.QueueUrl(), "Fare outcomes with IsSuccessful=false")
}
