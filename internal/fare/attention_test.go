package fare

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/steperr"
)

var stopped = Attention{State: "RefundFare", ExecutionStatus: "ABORTED", Error: "States.Aborted", FailedState: "CreditCustomerAccount", FailureError: "InjectedFailure"}

// The transitions of a fare between REGISTERED and NEEDS_ATTENTION, each conditioned on
// the owner, the status and the resume count, so that a stale or repeated mark, a resume
// of the wrong run or another execution's write changes nothing.
func TestAttentionTransitions(t *testing.T) {
	owner := sagatest.Execution("fare-1").Owner()
	other := sagatest.StartedAt("fare-1", "2027-01-01T00:00:00.000Z").Owner()
	tests := []struct {
		name        string
		steps       func(f fixture, ctx context.Context) error
		wantErr     error
		wantStatus  Status
		wantResumes int
	}{
		{"a registered fare is marked", func(f fixture, ctx context.Context) error {
			_, err := f.svc.MarkNeedsAttention(ctx, "fare-1", owner, 0, stopped)
			return err
		}, nil, NeedsAttention, 0},
		{"another execution cannot mark it", func(f fixture, ctx context.Context) error {
			_, err := f.svc.MarkNeedsAttention(ctx, "fare-1", other, 0, stopped)
			return err
		}, ErrNotMarked, Registered, 0},
		{"a mark of an earlier run is refused after a resume claimed the fare", func(f fixture, ctx context.Context) error {
			if _, err := f.svc.BeginResume(ctx, "fare-1", owner, Registered, 1); err != nil {
				return err
			}
			_, err := f.svc.MarkNeedsAttention(ctx, "fare-1", owner, 0, stopped)
			return err
		}, ErrNotMarked, Registered, 1},
		{"a marked fare is resumed once for a run", func(f fixture, ctx context.Context) error {
			if _, err := f.svc.MarkNeedsAttention(ctx, "fare-1", owner, 0, stopped); err != nil {
				return err
			}
			if _, err := f.svc.BeginResume(ctx, "fare-1", owner, NeedsAttention, 1); err != nil {
				return err
			}
			_, err := f.svc.BeginResume(ctx, "fare-1", owner, NeedsAttention, 1)
			return err
		}, ErrNotMarked, Registered, 1},
		{"a registered fare is claimed only for the run after its last", func(f fixture, ctx context.Context) error {
			_, err := f.svc.BeginResume(ctx, "fare-1", owner, Registered, 2)
			return err
		}, ErrNotMarked, Registered, 0},
		{"a resume of a finished fare is refused", func(f fixture, ctx context.Context) error {
			_, err := f.svc.BeginResume(ctx, "fare-1", owner, Cancelled, 1)
			return err
		}, ErrNotMarked, Registered, 0},
		{"an undone resume gives back the mark", func(f fixture, ctx context.Context) error {
			previous, err := f.svc.MarkNeedsAttention(ctx, "fare-1", owner, 0, stopped)
			if err != nil {
				return err
			}
			if _, err := f.svc.BeginResume(ctx, "fare-1", owner, NeedsAttention, 1); err != nil {
				return err
			}
			_, err = f.svc.UndoResume(ctx, "fare-1", owner, 1, previous)
			return err
		}, nil, NeedsAttention, 0},
		{"an undone claim leaves it registered for the watcher to mark", func(f fixture, ctx context.Context) error {
			previous := f.mustGet(t, "fare-1")
			if _, err := f.svc.BeginResume(ctx, "fare-1", owner, Registered, 1); err != nil {
				return err
			}
			if _, err := f.svc.UndoResume(ctx, "fare-1", owner, 1, previous); err != nil {
				return err
			}
			_, err := f.svc.MarkNeedsAttention(ctx, "fare-1", owner, 0, stopped)
			return err
		}, nil, NeedsAttention, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			registerOwn(t, f, ctx)
			err := tt.steps(f, ctx)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			record := f.mustGet(t, "fare-1")
			assert.Equal(t, tt.wantStatus, record.Status)
			assert.Equal(t, tt.wantResumes, record.Resumes)
			assert.Equal(t, owner, record.OwnerExecution, "the owner never changes")
		})
	}
}

// A fare an execution stopped before writing is written NEEDS_ATTENTION, as RegisterFare
// would have written it; once written, a late RegisterFare does nothing, and a second
// mark is refused.
func TestMarkUnwrittenNeedsAttentionFencesTheLateRegistration(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fare, err := saga.ParseFare(fareJSON("fare-1", "cust-1", 1250))
	require.NoError(t, err)
	execution := *sagatest.Execution("fare-1")
	marked, err := f.svc.MarkUnwrittenNeedsAttention(ctx, fare, execution, 0, stopped)
	require.NoError(t, err)
	record := f.mustGet(t, "fare-1")
	assert.Equal(t, marked, record)
	assert.Equal(t, NeedsAttention, record.Status)
	assert.Equal(t, execution.Owner(), record.OwnerExecution)
	assert.Equal(t, fare.Digest(), record.FareDigest)
	assert.Equal(t, int64(1250), record.Amount)
	assert.Equal(t, "RefundFare", record.AttentionState)
	assert.Equal(t, "ABORTED", record.AttentionExecutionStatus)
	assert.NotContains(t, record.FareDigest+record.CustomerID, "tok_secret_123", "the token is not stored")

	_, err = f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	assert.Equal(t, "FareAlreadyCompensated", steperr.Name(err), "the late registration writes nothing")
	assert.Equal(t, record, f.mustGet(t, "fare-1"))

	_, err = f.svc.MarkUnwrittenNeedsAttention(ctx, fare, execution, 0, stopped)
	assert.ErrorIs(t, err, ErrNotMarked)

	_, err = f.svc.BeginResume(ctx, "fare-1", execution.Owner(), NeedsAttention, 1)
	require.NoError(t, err)
	_, err = f.svc.RegisterFare(ctx, sagatest.Step(fareJSON("fare-1", "cust-1", 1250)))
	require.NoError(t, err, "the resumed run registers it: already registered")
	assert.Equal(t, Registered, f.mustGet(t, "fare-1").Status)
}
