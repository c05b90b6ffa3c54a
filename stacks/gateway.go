package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// Gateway is the payment gateway the payment functions are deployed with.
type Gateway string

const (
	// SimulatedGateway, the default, keeps its state in the PaymentGateway table.
	SimulatedGateway Gateway = lambdaenv.SimulatedGateway
	// StripeGateway is the Stripe adapter; its API key is in Secrets Manager.
	StripeGateway Gateway = lambdaenv.StripeGateway
)

// CDK context keys: cdk synth -c gateway=stripe [-c stripeSecretName=<name>].
const (
	GatewayContextKey      = "gateway"
	StripeSecretContextKey = "stripeSecretName"
)

// GatewayFromContext reads the gateway, and the name of an existing secret holding
// Stripe's key ("" when the stack is to create one), from the CDK context of scope.
func GatewayFromContext(scope constructs.Construct) (Gateway, string, error) {
	gateway, err := contextString(scope, GatewayContextKey, string(SimulatedGateway+" or "+StripeGateway))
	if err != nil {
		return "", "", err
	}
	secret, err := contextString(scope, StripeSecretContextKey, "the name of a Secrets Manager secret")
	if err != nil {
		return "", "", err
	}
	switch Gateway(gateway) {
	case "", SimulatedGateway:
		if secret != "" {
			return "", "", fmt.Errorf("the context value %q applies to gateway=%s only", StripeSecretContextKey, StripeGateway)
		}
		return SimulatedGateway, "", nil
	case StripeGateway:
		return StripeGateway, secret, nil
	}
	return "", "", fmt.Errorf("unknown gateway %q: the context value %q must be %s or %s", gateway, GatewayContextKey, SimulatedGateway, StripeGateway)
}

// paymentFunctions are the functions that talk to the gateway: those that keep the
// Payments table.
func paymentFunctions() []statemachine.Function {
	var out []statemachine.Function
	for _, fn := range statemachine.Functions {
		for _, spec := range fn.Tables {
			if spec == tables.Payments {
				out = append(out, fn)
			}
		}
	}
	return out
}

// useStripe deploys the payment functions with the Stripe adapter: they read Stripe's
// API key from a Secrets Manager secret, which only they may read. The secret is the
// one named secretName, or one the stack creates empty, for an operator to fill:
// the key never appears in the template, in an environment variable or in a log.
func (s *FareCollectionStack) useStripe(settings stageSettings, secretName string) {
	var secret awssecretsmanager.ISecret
	secretID := jsii.String(secretName)
	if secretName == "" {
		created := awssecretsmanager.NewCfnSecret(s.Stack, jsii.String("StripeApiKey"), &awssecretsmanager.CfnSecretProps{
			Description: jsii.String("Stripe's secret API key for the fare-collection payment functions: " +
				"put the key (sk_live_... or sk_test_...) in as the secret's plain-text value"),
		})
		created.ApplyRemovalPolicy(settings.removalPolicy, nil)
		secret = awssecretsmanager.Secret_FromSecretCompleteArn(s.Stack, jsii.String("StripeApiKeyRef"), created.Ref())
		secretID = created.Ref()
		awscdk.NewCfnOutput(s.Stack, jsii.String("StripeApiKeySecretArn"), &awscdk.CfnOutputProps{
			Value:       created.Ref(),
			Description: jsii.String("The secret the payment functions read Stripe's API key from"),
		})
	} else {
		secret = awssecretsmanager.Secret_FromSecretNameV2(s.Stack, jsii.String("StripeApiKeyRef"), secretID)
	}
	for _, fn := range paymentFunctions() {
		f := s.Functions[fn.Name]
		f.AddEnvironment(jsii.String(lambdaenv.PaymentGatewayVar), jsii.String(string(StripeGateway)), nil)
		f.AddEnvironment(jsii.String(lambdaenv.StripeKeySecretVar), secretID, nil)
		secret.GrantRead(f, nil)
	}
}
