package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/gateway/stripe/stripefake"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripemock"
	"github.com/faresaga/faresaga/internal/localapi"
)

// `faresaga local --gateway stripe --stripe-url URL` runs the saga against the endpoint
// at URL. Against stripe-mock itself every request is accepted and every saga is
// declined and compensated: its fixture intents never reach requires_capture. Against
// a stateful endpoint (here the fake Stripe API, validated by stripe-mock) the fare is
// collected.
func TestStripeLocalRunsTheSagaAgainstAStripeEndpoint(t *testing.T) {
	mock := stripemock.URL(t)
	fake, fakeURL := stripefake.Start(t, stripefake.Options{Validator: mock})

	tests := []struct {
		name      string
		url       string
		wantState sfntypes.ExecutionStatus
		wantError string
	}{
		{"stripe-mock", mock, sfntypes.ExecutionStatusFailed, "PaymentDeclined"},
		{"a stateful Stripe endpoint", fakeURL, sfntypes.ExecutionStatusSucceeded, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0",
				VirtualTime: true, Seed: 3, Gateway: "stripe", StripeURL: tt.url, StripeKey: stripefake.APIKey})
			require.NoError(t, err)
			t.Cleanup(srv.Close)
			var described bytes.Buffer
			srv.Describe(&described)
			assert.Contains(t, described.String(), "payment gateway     Stripe at "+tt.url)

			client := localapi.NewSFNClient(srv.Endpoint)
			name := fmt.Sprintf("fare-stripe-%d", i)
			started, err := client.StartExecution(context.Background(), &sfn.StartExecutionInput{
				StateMachineArn: aws.String(srv.StateMachineARN), Name: aws.String(name),
				Input: aws.String(fmt.Sprintf(`{"fareId":%q,"customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":%q}`, name, stripefake.Visa))})
			require.NoError(t, err)
			done := waitForEnd(t, client, started.ExecutionArn)
			assert.Equal(t, tt.wantState, done.Status)
			assert.Equal(t, tt.wantError, aws.ToString(done.Error))
		})
	}
	assert.Len(t, fake.IntentIDs(), 1)
}

func TestStripeLocalRefusesAnIncompleteGatewayChoice(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"local", "--gateway", "stripe", "--listen", "127.0.0.1:0", "--dynamodb-listen", "127.0.0.1:0"}, "needs the URL of a Stripe-compatible endpoint (--stripe-url)"},
		{[]string{"local", "--gateway", "paypal", "--listen", "127.0.0.1:0", "--dynamodb-listen", "127.0.0.1:0"}, `unknown gateway "paypal"`},
		{[]string{"local", "--gateway", "stripe", "--stripe-url", "http://127.0.0.1:1", "--stripe-key-file", "/nonexistent/key"}, "the Stripe key: open /nonexistent/key"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := dispatch(context.Background(), tt.args, &stdout, &stderr)
		assert.NotZero(t, code, "%v", tt.args)
		assert.Contains(t, stderr.String(), tt.want)
	}
}
