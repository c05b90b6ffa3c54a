package lambdaenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripefake"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
)

// secretsManager serves GetSecretValue in Secrets Manager's wire protocol (AWS JSON
// 1.1), for the SDK's own client, and counts the reads.
type secretsManager struct {
	secrets map[string]string
	reads   atomic.Int32
}

func (s *secretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ SecretId string }
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"InvalidRequestException","message":"unsupported"}`)
		return
	}
	s.reads.Add(1)
	value, ok := s.secrets[in.SecretId]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:000000000000:secret:" + in.SecretId,
		"Name": in.SecretId, "SecretString": value, "VersionId": "v1"})
}

// The payment functions with PAYMENT_GATEWAY=stripe read the key from Secrets Manager
// on their first request only, talk to the Stripe endpoint, and never log the key.
func TestStripePaymentFunctionsReadTheKeyFromSecretsManagerOnce(t *testing.T) {
	sm := &secretsManager{secrets: map[string]string{"faresaga/stripe": stripefake.APIKey + "\n", "faresaga/empty": ""}}
	smServer := httptest.NewServer(sm)
	t.Cleanup(smServer.Close)
	fake, stripeURL := stripefake.Start(t, stripefake.Options{})
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", smServer.URL)
	db := dynamotest.Start(t).Client

	tests := []struct {
		name      string
		secret    string
		wantErr   string // Step Functions name of the first invocation's error
		wantReads int32
	}{
		{"the key", "faresaga/stripe", "", 1},
		{"an empty secret", "faresaga/empty", "GatewayUnavailable", 2},
		{"no such secret", "faresaga/missing", "GatewayUnavailable", 2},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm.reads.Store(0)
			vars := map[string]string{"PAYMENTS_TABLE": tables.Payments.Name, "PAYMENT_GATEWAY_TABLE": tables.PaymentGateway.Name,
				"PAYMENT_GATEWAY": "stripe", "STRIPE_API_KEY_SECRET": tt.secret, "STRIPE_API_URL": stripeURL}
			env, err := load(context.Background(), func(k string) string { return vars[k] })
			require.NoError(t, err)
			logs := &bytes.Buffer{}
			env.DynamoDB, env.Log = db, slog.New(slog.NewJSONHandler(logs, nil))
			svc, err := env.PaymentService()
			require.NoError(t, err)
			handler := lambda.NewHandler(svc.PreAuthorizePayment)
			for attempt := range 2 { // two invocations of one warm function
				payload := fmt.Sprintf(`{"fare":{"fareId":"fare-%[1]d","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":%[2]q},"attempt":%[3]d,`+
					`"execution":{"id":"arn:aws:states:us-east-1:000000000000:execution:FareCollection-test:fare-%[1]d","name":"fare-%[1]d","startTime":"2026-11-27T09:30:00.000Z"}}`,
					i, stripefake.Visa, attempt)
				_, err := handler.Invoke(context.Background(), []byte(payload))
				if tt.wantErr == "" {
					require.NoError(t, err)
				} else {
					require.Error(t, err)
					assert.Equal(t, tt.wantErr, steperr.Name(err))
				}
			}
			assert.Equal(t, tt.wantReads, sm.reads.Load(), "Secrets Manager reads")
			assert.NotContains(t, logs.String(), stripefake.APIKey)
			assert.NotContains(t, logs.String(), stripefake.Visa)
		})
	}
	assert.Len(t, fake.IntentIDs(), 1, "only the function with a key reached Stripe")
}

// On Lambda every instance must share the simulated gateway's state: it lives in the
// PaymentGateway table, not in the instance.
func TestSimulatedGatewayKeepsItsStateInItsTable(t *testing.T) {
	env := testEnv(t)
	svc, err := env.PaymentService()
	require.NoError(t, err)
	_, err = lambda.NewHandler(svc.PreAuthorizePayment).Invoke(context.Background(),
		[]byte(`{"fare":{"fareId":"fare-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"},"attempt":0,`+
			`"execution":{"id":"arn:aws:states:us-east-1:000000000000:execution:FareCollection-test:fare-1","name":"fare-1","startTime":"2026-11-27T09:30:00.000Z"}}`))
	require.NoError(t, err)
	out, err := env.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(tables.PaymentGateway.Name)})
	require.NoError(t, err)
	assert.Len(t, out.Items, 2, "the authorisation and its key's record")
}
