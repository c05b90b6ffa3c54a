package embedded

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"encoding/json"
	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
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
	s := startStackWrapping(t, func(inner task.Integration) task.Integration {
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
	})
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

// stopAt stops each execution at the first invocation of state, the way Lambda and an
// operator's StopExecution meet: with afterEffect the handler runs and its answer is lost
// to the stop; without, the stop comes first and the handler runs on, as Lambda finishes
// what it started, once late() is called.
type stopAt struct {
	state       string
	afterEffect bool
	stopped     chan struct{}
	late        chan struct{}
	lateDone    chan struct{}
}

func newStopAt(state string, afterEffect bool) *stopAt {
	return &stopAt{state: state, afterEffect: afterEffect, stopped: make(chan struct{}), late: make(chan struct{}), lateDone: make(chan struct{})}
}

func (p *stopAt) wrap(inner task.Integration) task.Integration {
	return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
		if req.Caller.StateName != p.state || req.Caller.Invocation != 0 {
			return inner.Invoke(ctx, req)
		}
		if p.afterEffect {
			_, _ = inner.Invoke(ctx, req)
		} else {
			go func() {
				defer close(p.lateDone)
				<-p.late
				_, _ = inner.Invoke(context.WithoutCancel(ctx), req)
			}()
		}
		close(p.stopped)
		<-ctx.Done()
		return nil, ctx.Err()
	})
}

// A stop during RegisterFare, before its write lands: the watcher finds no fare, but the
// Lambda it had invoked runs on and would register it after everyone stopped looking. So
// the watcher writes the fare NEEDS_ATTENTION first; the late registration then does
// nothing, and a resume registers the fare and takes it to the end.
func TestAStopBeforeTheFareIsWrittenFencesTheLateWrite(t *testing.T) {
	stop := newStopAt(statemachine.RegisterFare, false)
	s := startStackWrapping(t, stop.wrap)
	ctx := context.Background()
	x, err := s.StartFare(ctx, FareInput("fare-1", "cust-1"))
	require.NoError(t, err)
	<-stop.stopped
	x.Stop("", "an operator stopped it")
	require.NoError(t, s.Settled(ctx, x))
	v := readTables(t, s, "fare-1", "cust-1")
	require.Equal(t, fare.NeedsAttention, v.fare.Status, "written by the watcher")
	assert.Equal(t, statemachine.RegisterFare, v.fare.AttentionState)
	assert.Equal(t, "ABORTED", v.fare.AttentionExecutionStatus)
	assert.Equal(t, OwnerOf(x), v.fare.OwnerExecution)
	assert.Equal(t, int64(1250), v.fare.Amount)

	close(stop.late)
	<-stop.lateDone
	v = readTables(t, s, "fare-1", "cust-1")
	assert.Equal(t, fare.NeedsAttention, v.fare.Status, "the late registration changed nothing")

	resumed, err := s.Resume(ctx, "fare-1")
	require.NoError(t, err)
	assert.Equal(t, statemachine.RegisterFare, resumed.ResumedFrom)
	require.NoError(t, s.Settled(ctx, x))
	assert.Equal(t, engine.Succeeded, x.Result().Status)
	v = readTables(t, s, "fare-1", "cust-1")
	assert.Equal(t, fare.Completed, v.fare.Status)
	assert.Equal(t, gateway.StatusCaptured, v.gateway.Status)
	assert.Equal(t, int64(1250), v.balance)
	assert.Equal(t, []string{"alert", "COMPLETED"}, topicStatuses(t, s))
}

// A fare whose execution is stopped after CancelFare's write but before NotifyFailure is
// finished and nobody would hear of it: the watcher announces it.
func TestAFareFinishedWhenItsExecutionStoppedIsAnnounced(t *testing.T) {
	stop := newStopAt(statemachine.CancelFare, true)
	s := startStackWrapping(t, stop.wrap)
	ctx := context.Background()
	x, err := s.StartFare(ctx, FareInput("fare-1", "cust_fail_auth"))
	require.NoError(t, err)
	<-stop.stopped
	x.Stop("", "an operator stopped it")
	require.NoError(t, s.Settled(ctx, x))
	assert.Equal(t, engine.Aborted, x.Result().Status)
	v := readTables(t, s, "fare-1", "cust_fail_auth")
	assert.Equal(t, fare.Cancelled, v.fare.Status)
	assert.Equal(t, []string{"CANCELLED"}, topicStatuses(t, s))
	m := s.Topic.Messages()[0]
	assert.Equal(t, "false", m.MessageAttributes["IsSuccessful"].StringValue)
	assert.JSONEq(t, `{"fareId":"fare-1","customerId":"cust_fail_auth","amount":1250,"currency":"EUR","status":"CANCELLED",`+
		`"failedState":"PreAuthorizePayment","error":"PaymentDeclined",`+
		`"announcedBy":"attention watcher: the execution was ABORTED before it announced the fare"}`, m.Message)
	_, err = s.Resume(ctx, "fare-1")
	var notStuck *attention.NotStuckError
	assert.ErrorAs(t, err, &notStuck, "a finished fare is not resumed")
}

// topicStatuses is each message's status, "alert" for the watcher's alerts.
func topicStatuses(t *testing.T, s *Stack) []string {
	t.Helper()
	var out []string
	for _, m := range s.Topic.Messages() {
		if m.MessageAttributes["NeedsAttention"].StringValue == "true" {
			out = append(out, "alert")
			continue
		}
		var body struct{ Status string }
		require.NoError(t, json.Unmarshal([]byte(m.Message), &body))
		out = append(out, body.Status)
	}
	return out
}

// Two operators (or one who clicks twice) resume the same stuck fare at once: one resume
// is made, and the others are refused with a reason or answered as that same resume
// (its client token), and the execution is redriven once.
func TestConcurrentResumesRedriveOnce(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()
	customer := "cust_fail_credit_outage_refund"
	x, err := s.RunFare(ctx, FareInput("fare-1", customer))
	require.NoError(t, err)
	const operators = 8
	type answer struct {
		resumed attention.Resumption
		err     error
	}
	answers := make(chan answer, operators)
	for range operators {
		go func() {
			resumed, err := s.Resume(ctx, "fare-1")
			answers <- answer{resumed, err}
		}()
	}
	made := 0
	for range operators {
		a := <-answers
		err := a.err
		if err == nil {
			made++
			assert.Equal(t, 1, a.resumed.Resumes, "every resume made is the first")
			continue
		}
		var notStuck *attention.NotStuckError
		var notResumable *attention.NotResumableError
		assert.True(t, errors.Is(err, attention.ErrChanged) || errors.As(err, &notStuck) || errors.As(err, &notResumable),
			"a refused resume says why: %v", err)
	}
	require.GreaterOrEqual(t, made, 1, "a resume made")
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, s.Settled(waitCtx, x))
	assert.Equal(t, 1, x.Result().RedriveCount, "redriven once")
	v := readTables(t, s, "fare-1", customer)
	assert.Equal(t, fare.Cancelled, v.fare.Status)
	assert.Equal(t, 1, v.fare.Resumes)
	assert.Equal(t, gateway.StatusRefunded, v.gateway.Status)
}
