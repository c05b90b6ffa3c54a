package lambdaenv

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/simulated"
	"github.com/faresaga/faresaga/internal/gateway/stripe"
)

// Variables that choose and configure the payment gateway of the payment functions.
const (
	// PaymentGatewayVar selects the gateway: "simulated" (the default) or "stripe".
	PaymentGatewayVar = "PAYMENT_GATEWAY"
	// StripeKeySecretVar names the Secrets Manager secret (name or ARN) whose value is
	// Stripe's secret API key. The key itself is never in the environment.
	StripeKeySecretVar = "STRIPE_API_KEY_SECRET"
	// StripeURLVar points the adapter at a Stripe-compatible endpoint instead of
	// Stripe's API (stripe-mock, a test double); unset in a deployment.
	StripeURLVar = "STRIPE_API_URL"
)

// Gateways are the values PaymentGatewayVar takes.
const (
	SimulatedGateway = "simulated"
	StripeGateway    = "stripe"
)

// paymentGateway builds the gateway PaymentGatewayVar names. Both keep their state on
// our side in the PaymentGateway table: the simulated gateway all of it, the Stripe
// adapter which PaymentIntent each idempotency key addresses.
func (e Env) paymentGateway(gatewayTable string) (gateway.Gateway, error) {
	switch kind := e.lookup(PaymentGatewayVar); kind {
	case "", SimulatedGateway:
		return simulated.New(simulated.NewDynamoStore(e.DynamoDB, gatewayTable), e.Now), nil
	case StripeGateway:
		secret := e.lookup(StripeKeySecretVar)
		if secret == "" {
			return nil, fmt.Errorf("%s is not set: the Stripe gateway reads its API key from that Secrets Manager secret", StripeKeySecretVar)
		}
		return stripe.New(stripe.Config{
			APIKey:   secretString(secretsmanager.NewFromConfig(e.aws), secret),
			URL:      e.lookup(StripeURLVar),
			Bindings: stripe.NewDynamoBindings(e.DynamoDB, gatewayTable),
			Now:      e.Now,
		})
	default:
		return nil, fmt.Errorf("%s=%q: the gateway must be %q or %q", PaymentGatewayVar, kind, SimulatedGateway, StripeGateway)
	}
}

// secretString reads a secret's value. The adapter asks once per process, on its first
// request, and again only after Stripe refused the key: a warm function does not call
// Secrets Manager, and a rotated key reaches it at the first refusal.
func secretString(client *secretsmanager.Client, secretID string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
		if err != nil {
			return "", fmt.Errorf("read secret %s: %w", secretID, err)
		}
		if strings.TrimSpace(aws.ToString(out.SecretString)) == "" {
			return "", fmt.Errorf("secret %s is empty: put Stripe's secret key (sk_live_... or sk_test_...) in it", secretID)
		}
		return strings.TrimSpace(aws.ToString(out.SecretString)), nil
	}
}
