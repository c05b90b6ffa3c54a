package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/tables"
)

// testToken is a payment token that must never reach a log line or a table.
const testToken = "tok_secret_d0n0tl0g"

var fixedNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

func eur(amount int64) money.Money { return money.Money{Amount: amount, Currency: "EUR"} }

// fixture is the service against a real DynamoDB wire endpoint, with the simulated
// gateway keeping its state in the PaymentGateway table of the same endpoint.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *dynamodb.Client
	svc     *Service
	store   GatewayStore
	gateway *interleavingGateway
	logs    *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dynamotest.Start(t).Client
	store := NewDynamoGatewayStore(db, tables.PaymentGateway.Name)
	gateway := &interleavingGateway{Gateway: NewSimulatedGateway(store, fixedClock)}
	logs := &bytes.Buffer{}
	svc, err := New(Config{
		DynamoDB:       db,
		PaymentsTable:  tables.Payments.Name,
		Gateway:        gateway,
		FaultInjection: true,
		Now:            fixedClock,
		Log:            slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	return &fixture{t: t, ctx: context.Background(), db: db, svc: svc, store: store, gateway: gateway, logs: logs}
}

// input is the payload Step Functions sends for fare fareID of customer customerID.
func input(fareID, customerID string, attempt int) saga.StepInput {
	fare, err := json.Marshal(map[string]any{
		"fareId": fareID, "customerId": customerID, "amount": 1250, "currency": "EUR", "paymentToken": testToken,
	})
	if err != nil {
		panic(err)
	}
	return saga.StepInput{Fare: fare, Attempt: attempt, Execution: sagatest.Execution(fareID)}
}

// keyOf is the idempotency key of operation for fareID under the execution that owns it
// in these tests (input's).
func keyOf(operation, fareID string) string {
	return gatewayKey(operation, fareID, sagatest.Execution(fareID).OwnerToken())
}

// payment returns the fare's Payments record, or false.
func (f *fixture) payment(fareID string) (Record, bool) {
	f.t.Helper()
	rec, found, err := f.svc.payments().get(f.ctx, fareID)
	require.NoError(f.t, err)
	return rec, found
}

// authorization returns the gateway's state of what the request under key touched, and
// false when nothing was done under that key. Its Version counts the effects applied.
func (f *fixture) authorization(key string) (authState, bool) {
	f.t.Helper()
	return authorizationByKey(f.t, f.store, key)
}

func authorizationByKey(t *testing.T, store GatewayStore, key string) (authState, bool) {
	t.Helper()
	rec, found, err := store.idempotencyRecord(context.Background(), key)
	require.NoError(t, err)
	if !found {
		return authState{}, false
	}
	auth, found, err := store.authorization(context.Background(), rec.Code)
	require.NoError(t, err)
	require.True(t, found, "key %s names a missing authorisation", key)
	return auth, true
}

// interleavingGateway is the real gateway with a way to run something (another step)
// just before or just after one of its calls, to reproduce a race deterministically.
type interleavingGateway struct {
	Gateway
	before, after map[string]func()
	calls         int // every call, of every operation
}

// around runs before just before the next call of operation and after just after it.
func (g *interleavingGateway) around(operation string, before, after func()) {
	g.before, g.after = map[string]func(){operation: before}, map[string]func(){operation: after}
}

func (g *interleavingGateway) PreAuthorize(ctx context.Context, req PreAuthorizeRequest) (auth Authorization, err error) {
	g.interleave(opPreAuthorize, func() { auth, err = g.Gateway.PreAuthorize(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Capture(ctx context.Context, req CaptureRequest) (auth Authorization, err error) {
	g.interleave(opCapture, func() { auth, err = g.Gateway.Capture(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Void(ctx context.Context, req VoidRequest) (auth Authorization, err error) {
	g.interleave(opVoid, func() { auth, err = g.Gateway.Void(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Lookup(ctx context.Context, key string) (auth Authorization, found bool, err error) {
	g.interleave(opLookup, func() { auth, found, err = g.Gateway.Lookup(ctx, key) })
	return auth, found, err
}

func (g *interleavingGateway) CancelPreAuthorization(ctx context.Context, key string) (auth Authorization, found bool, err error) {
	g.interleave(opCancel, func() { auth, found, err = g.Gateway.CancelPreAuthorization(ctx, key) })
	return auth, found, err
}

// interleave fires each hook once, so a step run from a hook calls the gateway plainly.
func (g *interleavingGateway) interleave(operation string, call func()) {
	g.calls++
	fire := func(hooks map[string]func()) {
		if hook := hooks[operation]; hook != nil {
			delete(hooks, operation)
			hook()
		}
	}
	fire(g.before)
	call()
	fire(g.after)
}

// logLines decodes every log line, failing on one that is not JSON.
func (f *fixture) logLines() []map[string]any {
	f.t.Helper()
	var lines []map[string]any
	for i, raw := range bytes.Split(bytes.TrimSpace(f.logs.Bytes()), []byte("\n")) {
		var line map[string]any
		require.NoError(f.t, json.Unmarshal(raw, &line), "log line %d is not JSON: %s", i, raw)
		lines = append(lines, line)
	}
	return lines
}
