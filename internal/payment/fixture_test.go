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
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/simulated"
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
	sim     *simulated.Gateway
	gateway *interleavingGateway
	logs    *bytes.Buffer
	// gatewayAge is how far the gateway's clock is ahead of the service's: it ages the
	// authorisations.
	gatewayAge time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dynamotest.Start(t).Client
	f := &fixture{t: t, ctx: context.Background(), db: db}
	f.sim = simulated.New(simulated.NewDynamoStore(db, tables.PaymentGateway.Name),
		func() time.Time { return fixedNow.Add(f.gatewayAge) })
	f.gateway = &interleavingGateway{Gateway: f.sim}
	f.logs = &bytes.Buffer{}
	svc, err := New(Config{
		DynamoDB:       db,
		PaymentsTable:  tables.Payments.Name,
		Gateway:        f.gateway,
		FaultInjection: true,
		Now:            fixedClock,
		Log:            slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	require.NoError(t, err)
	f.svc = svc
	return f
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
func (f *fixture) authorization(key string) (simulated.State, bool) {
	f.t.Helper()
	state, found, err := f.sim.State(f.ctx, key)
	require.NoError(f.t, err)
	return state, found
}

// interleavingGateway is the simulated gateway with a way to run something (another step)
// just before or just after one of its calls, to reproduce a race deterministically.
type interleavingGateway struct {
	gateway.Gateway
	before, after map[string]func()
	calls         int // every call, of every operation
}

// around runs before just before the next call of operation and after just after it.
func (g *interleavingGateway) around(operation string, before, after func()) {
	g.before, g.after = map[string]func(){operation: before}, map[string]func(){operation: after}
}

func (g *interleavingGateway) PreAuthorize(ctx context.Context, req gateway.PreAuthorizeRequest) (auth gateway.Authorization, err error) {
	g.interleave(gateway.OpPreAuthorize, func() { auth, err = g.Gateway.PreAuthorize(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Capture(ctx context.Context, req gateway.CaptureRequest) (auth gateway.Authorization, err error) {
	g.interleave(gateway.OpCapture, func() { auth, err = g.Gateway.Capture(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Void(ctx context.Context, req gateway.VoidRequest) (auth gateway.Authorization, err error) {
	g.interleave(gateway.OpVoid, func() { auth, err = g.Gateway.Void(ctx, req) })
	return auth, err
}

func (g *interleavingGateway) Lookup(ctx context.Context, key string) (auth gateway.Authorization, found bool, err error) {
	g.interleave(gateway.OpLookup, func() { auth, found, err = g.Gateway.Lookup(ctx, key) })
	return auth, found, err
}

func (g *interleavingGateway) CancelPreAuthorization(ctx context.Context, key string) (auth gateway.Authorization, found bool, err error) {
	g.interleave(gateway.OpCancel, func() { auth, found, err = g.Gateway.CancelPreAuthorization(ctx, key) })
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
