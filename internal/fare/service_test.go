package fare

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/steperr"
)

var fixedNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

type fixture struct {
	svc  *Service
	logs *bytes.Buffer
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	logs := &bytes.Buffer{}
	return fixture{
		svc: &Service{
			DB:     dynamotest.Start(t).Client,
			Table:  "Fares",
			Faults: faults.New(true),
			Now:    func() time.Time { return fixedNow },
			Log:    slog.New(slog.NewJSONHandler(logs, nil)),
		},
		logs: logs,
	}
}

func fareJSON(fareID, customerID string, amount int) json.RawMessage {
	raw, _ := json.Marshal(map[string]any{"fareId": fareID, "customerId": customerID, "amount": amount, "currency": "EUR", "paymentToken": "tok_secret_123"})
	return raw
}

func attempt(in saga.StepInput, n int) saga.StepInput {
	in.Attempt = n
	return in
}

func (f fixture) mustGet(t *testing.T, fareID string) Record {
	t.Helper()
	record, found, err := f.svc.Get(context.Background(), fareID)
	require.NoError(t, err)
	require.True(t, found, "fare %s should exist", fareID)
	return record
}

func (f fixture) assertAbsent(t *testing.T, fareID string) {
	t.Helper()
	_, found, err := f.svc.Get(context.Background(), fareID)
	require.NoError(t, err)
	assert.False(t, found, "fare %s should not exist", fareID)
}

func TestRegisterFareRecordsARegisteredFare(t *testing.T) {
	f := newFixture(t)
	got, err := f.svc.RegisterFare(context.Background(), sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	assert.Equal(t, "fare-1", got.FareID)
	assert.Equal(t, int64(1250), got.Amount)

	record := f.mustGet(t, "fare-1")
	assert.Equal(t, Registered, record.Status)
	assert.Equal(t, "cust-1", record.CustomerID)
	assert.Equal(t, "EUR", record.Currency)
	assert.Equal(t, "2026-11-27T09:30:00Z", record.CreatedAt)
	assert.Empty(t, record.CompletionHold)
}

func TestRegisterFareTwiceRegistersOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	f.svc.Now = func() time.Time { return fixedNow.Add(time.Minute) }
	second, err := f.svc.RegisterFare(ctx, attempt(sagatest.Step(fareJSON("fare-1", "cust-1", 1250)), 1))
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, "2026-11-27T09:30:00Z", f.mustGet(t, "fare-1").CreatedAt, "the second run must not rewrite the fare")
}

func TestRegisterFareRefuses(t *testing.T) {
	tests := []struct {
		name     string
		existing json.RawMessage // registered first, then cancelled when cancel is true
		cancel   bool
		input    json.RawMessage
		want     string
		by       *saga.Execution // runs the second registration; nil: the execution named after the fare
	}{
		{"a different fare under the same id", fareJSON("fare-1", "cust-1", 1250), false, fareJSON("fare-1", "cust-1", 999), "FareConflict", nil},
		{"another customer's fare id", fareJSON("fare-1", "cust-1", 1250), false, fareJSON("fare-1", "cust-2", 1250), "FareConflict", nil},
		{"a fare already cancelled", fareJSON("fare-1", "cust-1", 1250), true, fareJSON("fare-1", "cust-1", 1250), "FareAlreadyCompensated", nil},
		{"a fare whose cancellation came first", nil, true, fareJSON("fare-1", "cust-1", 1250), "FareAlreadyCompensated", nil},
		{"invalid input", nil, false, json.RawMessage(`{"fareId":"fare-1","amount":-1}`), "InvalidFareInput", nil},
		{"card data", nil, false, json.RawMessage(`{"fareId":"fare-1","customerId":"c","amount":1,"currency":"EUR","cc":"4111111111111111","cvv":"123"}`), "InvalidFareInput", nil},
		{"an execution named otherwise", nil, false, fareJSON("fare-1", "cust-1", 1250), "InvalidFareInput", sagatest.Named("fare-1-again")},
		{"an execution named otherwise, fare taken", fareJSON("fare-1", "cust-1", 1250), false, fareJSON("fare-1", "cust-2", 999), "InvalidFareInput", sagatest.Named("fare-1-again")},
		{"no execution in the payload", nil, false, fareJSON("fare-1", "cust-1", 1250), "InvalidFareInput", &saga.Execution{}},
		{"the same fare, a later execution of the same name", fareJSON("fare-1", "cust-1", 1250), false, fareJSON("fare-1", "cust-1", 1250), "FareConflict", sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")},
		{"another fare, a later execution of the same name", fareJSON("fare-1", "cust-1", 1250), false, fareJSON("fare-1", "cust-2", 5), "FareConflict", sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")},
		{"a cancelled fare, a later execution of the same name", fareJSON("fare-1", "cust-1", 1250), true, fareJSON("fare-1", "cust-1", 1250), "FareConflict", sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")},
		{"a tombstone, a later execution of the same name", nil, true, fareJSON("fare-1", "cust-1", 1250), "FareConflict", sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if tt.existing != nil {
				_, err := f.svc.RegisterFare(ctx, sagatest.Step(tt.existing))
				require.NoError(t, err)
			}
			if tt.cancel {
				_, err := f.svc.CancelFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
				require.NoError(t, err)
			}
			before, existedBefore, err := f.svc.Get(ctx, "fare-1")
			require.NoError(t, err)

			in := sagatest.Step(tt.input)
			if tt.by != nil {
				in.Execution = tt.by
			}
			_, err = f.svc.RegisterFare(ctx, in)
			require.Error(t, err)
			assert.Equal(t, tt.want, steperr.Name(err))

			after, existsAfter, err := f.svc.Get(ctx, "fare-1")
			require.NoError(t, err)
			assert.Equal(t, existedBefore, existsAfter, "a refused registration writes nothing")
			assert.Equal(t, before, after, "a refused registration changes nothing")
			assert.NotContains(t, f.logs.String(), "4111111111111111")
		})
	}
}

func TestCancelFare(t *testing.T) {
	failure := &saga.Failure{State: "ChargeFare", Error: "CaptureDeclined", Cause: "declined"}
	tests := []struct {
		name        string
		registered  bool
		cancelTwice bool
		wantOutcome string
	}{
		{"a registered fare is cancelled", true, false, "CANCELLED"},
		{"a fare never registered gets a tombstone", false, false, "NOTHING_TO_CANCEL"},
		{"a second cancellation is a no-op", true, true, "ALREADY_CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if tt.registered {
				_, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
				require.NoError(t, err)
			}
			in := sagatest.Step(fareJSON("fare-1", "cust-1", 1250))
			in.Failure = failure
			if tt.cancelTwice {
				_, err := f.svc.CancelFare(ctx, in)
				require.NoError(t, err)
				f.svc.Now = func() time.Time { return fixedNow.Add(time.Hour) }
			}
			got, err := f.svc.CancelFare(ctx, in)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutcome, got.Outcome)
			assert.Equal(t, "fare-1", got.FareID)

			record := f.mustGet(t, "fare-1")
			assert.Equal(t, Cancelled, record.Status)
			assert.Equal(t, "cust-1", record.CustomerID)
			assert.Equal(t, int64(1250), record.Amount)
			assert.Equal(t, "ChargeFare", record.FailedState)
			assert.Equal(t, "CaptureDeclined", record.FailureError)
			assert.Equal(t, "2026-11-27T09:30:00Z", record.CancelledAt, "the first cancellation's time is kept")
		})
	}
}

// A compensation run by any execution but the fare's owner changes nothing of the fare,
// whatever state it is in, and says so.
func TestCancelFareLeavesAnotherExecutionsFare(t *testing.T) {
	later := sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")
	tests := []struct {
		name        string
		setup       func(t *testing.T, f fixture, ctx context.Context) // what the owner did
		by          *saga.Execution
		wantOutcome string
		wantError   string
	}{
		{"registered, a later execution of the same name", registerOwn, later, saga.NotOwnedOutcome, ""},
		{"completed, a later execution of the same name", func(t *testing.T, f fixture, ctx context.Context) {
			registerOwn(t, f, ctx)
			_, err := f.svc.DB.UpdateItem(ctx, completeFare("fare-1"))
			require.NoError(t, err)
		}, later, saga.NotOwnedOutcome, ""},
		{"cancelled, a later execution of the same name", func(t *testing.T, f fixture, ctx context.Context) {
			registerOwn(t, f, ctx)
			_, err := f.svc.CancelFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
			require.NoError(t, err)
		}, later, saga.NotOwnedOutcome, ""},
		{"registered, an execution named otherwise", registerOwn, sagatest.Named("fare-1-again"), saga.NotOwnedOutcome, ""},
		{"never registered, an execution named otherwise", func(*testing.T, fixture, context.Context) {}, sagatest.Named("fare-1-again"), saga.NotOwnedOutcome, ""},
		{"registered, a payload without its execution", registerOwn, nil, "", "UnexpectedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			tt.setup(t, f, ctx)
			before, existed, err := f.svc.Get(ctx, "fare-1")
			require.NoError(t, err)

			in := sagatest.Step(fareJSON("fare-1", "cust-2", 999))
			in.Execution = tt.by
			in.Failure = &saga.Failure{State: "RegisterFare", Error: "Lambda.Unknown"}
			got, err := f.svc.CancelFare(ctx, in)
			if tt.wantError != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantError, steperr.Name(err))
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantOutcome, got.Outcome)
				assert.Contains(t, got.Detail, "nothing was changed")
			}
			after, exists, err := f.svc.Get(ctx, "fare-1")
			require.NoError(t, err)
			assert.Equal(t, existed, exists, "no tombstone for a fare that is not this execution's")
			assert.Equal(t, before, after, "the owner's fare is unchanged")
		})
	}
}

func registerOwn(t *testing.T, f fixture, ctx context.Context) {
	_, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
}

func TestCancelFareCancelsACompletedFare(t *testing.T) {
	// SetFareStatusCompleted can land and still report a failure (a timeout); the saga
	// then compensates, and the fare must end cancelled like the money.
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	_, err = f.svc.DB.UpdateItem(ctx, completeFare("fare-1"))
	require.NoError(t, err)

	got, err := f.svc.CancelFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	assert.Equal(t, "CANCELLED", got.Outcome)
	assert.Equal(t, "was COMPLETED", got.Detail)
	assert.Equal(t, Cancelled, f.mustGet(t, "fare-1").Status)
}

func TestCancelFareLeavesAFareThatNeedsAttention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	_, err = f.svc.DB.UpdateItem(ctx, markNeedsAttention("fare-1"))
	require.NoError(t, err)

	got, err := f.svc.CancelFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err)
	assert.Equal(t, "LEFT_FOR_ATTENTION", got.Outcome)
	assert.Equal(t, NeedsAttention, f.mustGet(t, "fare-1").Status)
}

func TestCancelFareOfAnInvalidFareWritesNothing(t *testing.T) {
	f := newFixture(t)
	got, err := f.svc.CancelFare(context.Background(), sagatest.Step(json.RawMessage(`{"fareId":"fare-1"}`)))
	require.NoError(t, err)
	assert.Equal(t, saga.NotAFareOutcome, got.Outcome)
	f.assertAbsent(t, "fare-1")
}

func TestFaultSwitches(t *testing.T) {
	tests := []struct {
		name     string
		customer string
		run      func(*Service, saga.StepInput) error
		attempt  int
		want     string // error name, "" for success
		written  bool   // whether the fare exists afterwards
	}{
		{"fail register", "cust_fail_register", register, 0, "InjectedFailure", false},
		{"transient register, first attempt", "cust_transient_register", register, 0, "Throttled", false},
		{"transient register, third attempt", "cust_transient_register", register, 2, "", true},
		{"lost register response", "cust_lost_register", register, 0, "Throttled", true},
		{"fail cancel", "cust_fail_cancel", cancel, 0, "InjectedFailure", false},
		{"transient cancel", "cust_transient_cancel", cancel, 1, "Throttled", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			err := tt.run(f.svc, attempt(sagatest.Step(fareJSON("fare-1", tt.customer, 100)), tt.attempt))
			if tt.want == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tt.want, steperr.Name(err))
			}
			_, found, err := f.svc.Get(context.Background(), "fare-1")
			require.NoError(t, err)
			assert.Equal(t, tt.written, found)
		})
	}
}

func TestFailCompleteRegistersAHold(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.RegisterFare(context.Background(), sagatest.Step(fareJSON("fare-1", "cust_fail_complete", 100)))
	require.NoError(t, err)
	assert.Equal(t, "fault injection: _fail_complete", f.mustGet(t, "fare-1").CompletionHold)

	f.svc.Faults = faults.New(false)
	_, err = f.svc.RegisterFare(context.Background(), sagatest.Step(fareJSON("fare-2", "cust_fail_complete", 100)))
	require.NoError(t, err)
	assert.Empty(t, f.mustGet(t, "fare-2").CompletionHold, "switches only act where fault injection is on")
}

func TestLogsAreJSONWithTheFareIDAndNoToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 100)))
	require.NoError(t, err)
	_, err = f.svc.CancelFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 100)))
	require.NoError(t, err)

	lines := strings.Split(strings.TrimSpace(f.logs.String()), "\n")
	require.Len(t, lines, 2)
	for _, line := range lines {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		assert.Equal(t, "fare-1", entry["fareId"], line)
		assert.NotEmpty(t, entry["state"], line)
	}
	assert.NotContains(t, f.logs.String(), "tok_secret_123")
}

func register(s *Service, in saga.StepInput) error {
	_, err := s.RegisterFare(context.Background(), in)
	return err
}

func cancel(s *Service, in saga.StepInput) error {
	_, err := s.CancelFare(context.Background(), in)
	return err
}
