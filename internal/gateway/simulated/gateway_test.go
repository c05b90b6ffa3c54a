package simulated

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
)

const testToken = "tok_secret_d0n0tl0g"

var fixedNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

// storeKinds builds a fresh store of each kind, so every gateway test runs against both.
var storeKinds = map[string]func(t *testing.T) Store{
	"memory": func(*testing.T) Store { return NewMemoryStore() },
	"dynamodb": func(t *testing.T) Store {
		return NewDynamoStore(dynamotest.Start(t).Client, tables.PaymentGateway.Name)
	},
}

// The requests of the suite address the authorisation made under key "pa".
var authCode = DerivedID("auth", "pa")

type gatewayCall func(context.Context, gateway.Gateway) (gateway.Authorization, error)

func preauthorize(key, token string, amount int64) gatewayCall {
	return func(ctx context.Context, g gateway.Gateway) (gateway.Authorization, error) {
		return g.PreAuthorize(ctx, gateway.PreAuthorizeRequest{IdempotencyKey: key, PaymentToken: token, Amount: eur(amount)})
	}
}

func capture(key string, amount int64) gatewayCall {
	return func(ctx context.Context, g gateway.Gateway) (gateway.Authorization, error) {
		return g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: key, AuthorizationCode: authCode, Amount: eur(amount)})
	}
}

func captureIn(currency string) gatewayCall {
	return func(ctx context.Context, g gateway.Gateway) (gateway.Authorization, error) {
		m := eur(100)
		m.Currency = currency
		return g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: "c-" + currency, AuthorizationCode: authCode, Amount: m})
	}
}

func void(key string) gatewayCall {
	return func(ctx context.Context, g gateway.Gateway) (gateway.Authorization, error) {
		return g.Void(ctx, gateway.VoidRequest{IdempotencyKey: key, AuthorizationCode: authCode})
	}
}

func refund(key string) gatewayCall {
	return func(ctx context.Context, g gateway.Gateway) (gateway.Authorization, error) {
		return g.Refund(ctx, gateway.RefundRequest{IdempotencyKey: key, AuthorizationCode: authCode})
	}
}

type gatewayStep struct {
	call       gatewayCall
	wantErr    string         // Step Functions name of the expected error; "" for success
	wantStatus gateway.Status // on success
	sameAs     int            // 1-based index of an earlier step whose result this one repeats
}

func TestSimulatedGatewayTransitions(t *testing.T) {
	authorized := gatewayStep{call: preauthorize("pa", testToken, 1000), wantStatus: gateway.StatusAuthorized}
	tests := []struct {
		name    string
		steps   []gatewayStep
		effects int64 // changes applied to the authorisation, replays and refusals excluded
	}{
		{"authorise, capture, refund", []gatewayStep{
			authorized,
			{call: capture("c", 1000), wantStatus: gateway.StatusCaptured},
			{call: refund("r"), wantStatus: gateway.StatusRefunded},
		}, 3},
		{"capture less than authorised", []gatewayStep{authorized, {call: capture("c", 999), wantStatus: gateway.StatusCaptured}}, 2},
		{"replays return the first result without a second effect", []gatewayStep{
			authorized,
			{call: preauthorize("pa", testToken, 1000), sameAs: 1},
			{call: capture("c", 1000), wantStatus: gateway.StatusCaptured},
			{call: capture("c", 1000), sameAs: 3},
			{call: refund("r"), wantStatus: gateway.StatusRefunded},
			{call: capture("c", 1000), sameAs: 3}, // the original answer, though refunded since
			{call: refund("r"), sameAs: 5},
		}, 3},
		{"void replay and void of a voided authorisation", []gatewayStep{
			authorized,
			{call: void("v"), wantStatus: gateway.StatusVoided},
			{call: void("v"), sameAs: 2},
			{call: void("v2"), sameAs: 2}, // a no-op: same void id, nothing applied
		}, 3},
		{"key reused for a different amount", []gatewayStep{authorized, {call: preauthorize("pa", testToken, 999), wantErr: "GatewayRejected"}}, 1},
		{"key reused with a different token", []gatewayStep{authorized, {call: preauthorize("pa", "tok_other", 1000), wantErr: "GatewayRejected"}}, 1},
		{"key reused for another operation", []gatewayStep{authorized, {call: void("pa"), wantErr: "GatewayRejected"}}, 1},
		{"capture above the authorised amount", []gatewayStep{authorized, {call: capture("c", 1001), wantErr: "GatewayRejected"}}, 1},
		{"capture in another currency", []gatewayStep{authorized, {call: captureIn("USD"), wantErr: "GatewayRejected"}}, 1},
		{"capture twice under different keys", []gatewayStep{
			authorized, {call: capture("c", 1000), wantStatus: gateway.StatusCaptured}, {call: capture("c2", 1000), wantErr: "GatewayRejected"},
		}, 2},
		{"capture of a voided authorisation", []gatewayStep{
			authorized, {call: void("v"), wantStatus: gateway.StatusVoided}, {call: capture("c", 1000), wantErr: "GatewayRejected"},
		}, 2},
		{"void of a captured authorisation", []gatewayStep{
			authorized, {call: capture("c", 1000), wantStatus: gateway.StatusCaptured}, {call: void("v"), wantErr: "GatewayRejected"},
		}, 2},
		{"refund of an authorisation never captured", []gatewayStep{authorized, {call: refund("r"), wantErr: "GatewayRejected"}}, 1},
		{"refund twice under different keys", []gatewayStep{
			authorized, {call: capture("c", 1000), wantStatus: gateway.StatusCaptured},
			{call: refund("r"), wantStatus: gateway.StatusRefunded}, {call: refund("r2"), wantErr: "GatewayRejected"},
		}, 3},
		{"capture of an unknown authorisation", []gatewayStep{{call: capture("c", 1000), wantErr: "GatewayRejected"}}, 0},
		{"declined card", []gatewayStep{{call: preauthorize("pa", DeclinedToken, 1000), wantErr: "PaymentDeclined"}}, 0},
		{"declined capture leaves the authorisation", []gatewayStep{
			{call: preauthorize("pa", CaptureDeclinedToken, 1000), wantStatus: gateway.StatusAuthorized},
			{call: capture("c", 1000), wantErr: "CaptureDeclined"},
			{call: void("v"), wantStatus: gateway.StatusVoided},
		}, 2},
		{"missing idempotency key", []gatewayStep{{call: preauthorize("", testToken, 1000), wantErr: "GatewayRejected"}}, 0},
		{"non-positive amount", []gatewayStep{{call: preauthorize("pa", testToken, 0), wantErr: "GatewayRejected"}}, 0},
	}
	for kind, newStore := range storeKinds {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				store := newStore(t)
				gw := New(store, fixedClock)
				var results []gateway.Authorization
				for i, st := range tt.steps {
					got, err := st.call(ctx, gw)
					results = append(results, got)
					switch {
					case st.wantErr != "":
						require.Error(t, err, "step %d", i+1)
						assert.Equal(t, st.wantErr, steperr.Name(steperr.ForStepFunctions("test", err)), "step %d: %v", i+1, err)
					case st.sameAs > 0:
						require.NoError(t, err, "step %d", i+1)
						assert.Equal(t, results[st.sameAs-1], got, "step %d must repeat step %d", i+1, st.sameAs)
					default:
						require.NoError(t, err, "step %d", i+1)
						assert.Equal(t, st.wantStatus, got.Status, "step %d", i+1)
					}
				}
				auth, _, err := store.authorization(ctx, authCode)
				require.NoError(t, err)
				assert.Equal(t, tt.effects, auth.Version, "effects applied")
			})
		}
	}
}

func TestSimulatedGatewayIDsAreDerivedFromKeys(t *testing.T) {
	ctx := context.Background()
	for kind, newStore := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			gw := New(newStore(t), fixedClock)
			for _, call := range []gatewayCall{preauthorize("pa", testToken, 1000), capture("c", 800), refund("r")} {
				_, err := call(ctx, gw)
				require.NoError(t, err)
			}
			got, found, err := gw.Lookup(ctx, "c")
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, gateway.Authorization{
				Code: DerivedID("auth", "pa"), Amount: eur(1000), Captured: eur(800), Status: gateway.StatusRefunded,
				ChargeID: DerivedID("ch", "c"), RefundID: DerivedID("re", "r"),
			}, got)
		})
	}
}

func TestSimulatedGatewayAppliesConcurrentCapturesOnce(t *testing.T) {
	tests := []struct {
		name       string
		keys       [2]string
		wantErrors int
	}{
		{"same key: the second is a replay", [2]string{"c", "c"}, 0},
		{"different keys: the second is refused", [2]string{"c1", "c2"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := storeKinds["dynamodb"](t)
			gw := New(store, fixedClock)
			_, err := preauthorize("pa", testToken, 1000)(ctx, gw)
			require.NoError(t, err)

			var results [2]gateway.Authorization
			var errs [2]error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, key := range tt.keys {
				wg.Go(func() {
					<-start
					results[i], errs[i] = capture(key, 1000)(ctx, gw)
				})
			}
			close(start)
			wg.Wait()

			failed := 0
			for _, err := range errs {
				if err != nil {
					failed++
					assert.Equal(t, "GatewayRejected", steperr.Name(steperr.ForStepFunctions("test", err)))
				}
			}
			assert.Equal(t, tt.wantErrors, failed)
			if failed == 0 {
				assert.Equal(t, results[0], results[1])
			}
			auth, _, err := store.authorization(ctx, authCode)
			require.NoError(t, err)
			assert.Equal(t, int64(2), auth.Version, "one pre-authorisation and exactly one capture")
			assert.Equal(t, gateway.StatusCaptured, auth.Status)
		})
	}
}
