package stripe

import (
	"context"
	"net/http"
	"testing"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/gatewaytest"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripefake"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripemock"
	"github.com/faresaga/faresaga/internal/tables"
)

var bindingKinds = map[string]func(t *testing.T) Bindings{
	"memory": func(*testing.T) Bindings { return NewMemoryBindings() },
	"dynamodb": func(t *testing.T) Bindings {
		return NewDynamoBindings(dynamotest.Start(t).Client, tables.PaymentGateway.Name)
	},
}

// lostAt is the Stripe request whose answer a lost response of each operation loses:
// the one that moves the money.
var lostAt = map[string]string{
	gateway.OpPreAuthorize: stripefake.OpConfirm,
	gateway.OpCapture:      stripefake.OpCapture,
	gateway.OpVoid:         stripefake.OpCancel,
	gateway.OpRefund:       stripefake.OpRefund,
}

func fakeKey(context.Context) (string, error) { return stripefake.APIKey, nil }

// stripeTarget is the adapter against a fresh fake Stripe API, validated by the
// stripe-mock at validator when there is one.
func stripeTarget(t *testing.T, validator string, bindings Bindings) (gatewaytest.Target, *stripefake.Server) {
	fake, url := stripefake.Start(t, stripefake.Options{Validator: validator})
	// A fresh connection per request: on a reused one, Go's transport itself resends a
	// request carrying an Idempotency-Key whose connection drops, and a lost answer is
	// then healed before the adapter sees it (TestStripeTransportHealsALostAnswer).
	client := &http.Client{Timeout: RequestTimeout, Transport: &http.Transport{DisableKeepAlives: true}}
	g, err := New(Config{APIKey: fakeKey, URL: url, HTTPClient: client, Bindings: bindings})
	if err != nil {
		t.Fatal(err)
	}
	return gatewaytest.Target{
		Gateway:          g,
		Tokens:           gatewaytest.Tokens{Approved: stripefake.Visa, Declined: stripefake.Declined, CaptureDeclined: stripefake.CaptureDeclined},
		Age:              fake.Advance,
		LoseNextResponse: func(operation string) { fake.LoseNext(lostAt[operation]) },
	}, fake
}

// The stateful behaviour (declines, replays, conflicts, expiry, lost answers) against
// the fake Stripe API, with the adapter's bindings in memory and in DynamoDB.
func TestStripeContractOnTheFakeAPI(t *testing.T) {
	for kind, newBindings := range bindingKinds {
		t.Run(kind, func(t *testing.T) {
			gatewaytest.Run(t, func(t *testing.T) gatewaytest.Target {
				target, _ := stripeTarget(t, "", newBindings(t))
				return target
			})
		})
	}
}

// Every request the contract makes goes through stripe-mock first: a request its
// OpenAPI spec rejects fails the case, and the adapter parses stripe-mock's spec-shaped
// answers (overlaid with the fake's state).
func TestStripeContractThroughStripeMock(t *testing.T) {
	validator := stripemock.URL(t)
	gatewaytest.Run(t, func(t *testing.T) gatewaytest.Target {
		target, _ := stripeTarget(t, validator, NewMemoryBindings())
		return target
	})
}
