package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// An outage that outlasts RefundFare's retries leaves the fare for an operator; once it
// is over, a resume runs RefundFare again and the rest of the chain, to CANCELLED with the
// payment refunded and no net credit.
func TestAStuckFareIsResumedToTheEndOfItsCompensation(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	customer := "cust_fail_credit_outage_refund"
	x, err := s.RunFare(ctx, FareInput("fare-1", customer))
	require.NoError(t, err)
	assert.Equal(t, engine.Failed, x.Result().Status)
	v := readTables(t, s, "fare-1", customer)
	require.Equal(t, fare.NeedsAttention, v.fare.Status)
	assert.Equal(t, statemachine.RefundFare, v.fare.AttentionState)
	assert.Equal(t, "GatewayUnavailable", v.fare.AttentionError)
	assert.Equal(t, statemachine.CreditCustomerAccount, v.fare.FailedState, "the saga's own failure is kept for the operator")
	assert.Equal(t, gateway.StatusCaptured, v.gateway.Status, "still charged while stuck")

	resumed, err := s.Resume(ctx, "fare-1")
	require.NoError(t, err)
	assert.Equal(t, statemachine.RefundFare, resumed.ResumedFrom)
	assert.Equal(t, statemachine.ResumePath(statemachine.RefundFare), resumed.WillRun)
	assert.Equal(t, 1, resumed.Resumes)
	require.NoError(t, s.Settled(ctx, x))

	r := x.Result()
	assert.Equal(t, engine.Failed, r.Status, "the saga ends as a compensated failure")
	assert.Equal(t, "InjectedFailure", r.Error, "the original failure")
	assert.Equal(t, 1, r.RedriveCount)
	v = readTables(t, s, "fare-1", customer)
	assert.Equal(t, fare.Cancelled, v.fare.Status)
	assert.Equal(t, 1, v.fare.Resumes)
	assert.Equal(t, payment.PaymentRefunded, v.payment.Status)
	assert.Equal(t, gateway.StatusRefunded, v.gateway.Status, "the money is back")
	assert.Zero(t, v.balance, "no net credit")
	var statuses []string
	for _, m := range s.Topic.Messages() {
		statuses = append(statuses, m.MessageAttributes["NeedsAttention"].StringValue+"/"+m.MessageAttributes["IsSuccessful"].StringValue)
	}
	assert.Equal(t, []string{"true/false", "/false"}, statuses, "an alert, then the fare's cancellation")
}

// A resume whose compensation fails again leaves the fare for an operator again, with a
// new alert; and a fare that is not stuck is refused.
func TestResumesThatFailAgainOrCannotBe(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	x, err := s.RunFare(ctx, FareInput("fare-1", "cust_fail_refund"))
	require.NoError(t, err)
	_, err = s.Resume(ctx, "fare-1")
	require.NoError(t, err)
	require.NoError(t, s.Settled(ctx, x))
	v := readTables(t, s, "fare-1", "cust_fail_refund")
	assert.Equal(t, fare.NeedsAttention, v.fare.Status)
	assert.Equal(t, 1, v.fare.Resumes)
	assert.Len(t, s.Topic.Messages(), 2, "a new alert for the resume that failed again")

	_, err = s.RunFare(ctx, FareInput("fare-2", "cust-1"))
	require.NoError(t, err)
	_, err = s.Resume(ctx, "fare-2")
	var notStuck *attention.NotStuckError
	assert.True(t, errors.As(err, &notStuck), "a completed fare is not stuck: %v", err)
	_, err = s.Resume(ctx, "fare-unknown")
	assert.ErrorIs(t, err, attention.ErrUnknownFare)
}

// An operator who stops an execution while RefundFare retries leaves money half-moved:
// the watcher marks the fare, and a resume takes it to the end as above.
func TestAFareStoppedWhileCompensatingIsMarkedAndResumes(t *testing.T) {
	stopping := make(chan struct{})
	s, err := Start(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 7, FaultInjection: true,
		WrapFunctions: func(inner task.Integration) task.Integration {
			return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
				if req.Caller.StateName == statemachine.RefundFare && req.Caller.Invocation == 2 {
					// The third try hangs until the stop ends it: the execution is stopped
					// while RefundFare is in its retries.
					close(stopping)
					<-ctx.Done()
					return nil, ctx.Err()
				}
				return inner.Invoke(ctx, req)
			})
		}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	customer := "cust_fail_credit_transient_refund_transient_refund"
	x, err := s.StartFare(ctx, FareInput("fare-1", customer))
	require.NoError(t, err)
	<-stopping
	x.Stop("", "an operator stopped it")
	require.NoError(t, s.Settled(ctx, x))
	assert.Equal(t, engine.Aborted, x.Result().Status)
	v := readTables(t, s, "fare-1", customer)
	require.Equal(t, fare.NeedsAttention, v.fare.Status)
	assert.Equal(t, statemachine.RefundFare, v.fare.AttentionState)
	assert.Equal(t, "ABORTED", v.fare.AttentionExecutionStatus)

	_, err = s.Resume(ctx, "fare-1")
	require.NoError(t, err)
	require.NoError(t, s.Settled(ctx, x))
	v = readTables(t, s, "fare-1", customer)
	assert.Equal(t, fare.Cancelled, v.fare.Status)
	assert.Equal(t, gateway.StatusRefunded, v.gateway.Status)
	assert.Zero(t, v.balance)
}
