package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// watchRetries is how often a status change the watcher could not handle (DynamoDB
// throttled it, say) is tried again, with a doubling backoff from watchBackoff: what
// EventBridge and Lambda's asynchronous invocation do on AWS, over a shorter time.
const (
	watchRetries = 8
	watchBackoff = 100 * time.Millisecond
)

// watching delivers the engine's status changes to the attention watcher, as the stack's
// EventBridge rule does on AWS, and lets callers wait until the watcher has seen the end
// of an execution's run.
type watching struct {
	stack *Stack
	log   *slog.Logger

	mu      sync.Mutex
	handled map[runKey]chan struct{} // closed once the run's end has been handled
	order   []runKey                 // handled runs, oldest first, so the map stays bounded
	started map[string]*engine.Execution
	// redriveTokens are the client tokens of each execution's last redrives.
	redriveTokens map[string][]string
}

// rememberedRuns bounds how many handled runs nobody has waited for are kept: a server
// that runs executions for days must not keep one entry per execution.
const rememberedRuns = 4096

// runKey names one run of one execution: two executions may share an ARN (a name reused
// once the first is forgotten), never an ARN and a start time.
type runKey struct {
	arn   string
	start time.Time
	run   int // the redrive count
}

func (w *watching) done(key runKey) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch, ok := w.handled[key]
	if !ok {
		ch = make(chan struct{})
		w.handled[key] = ch
	}
	return ch
}

// onStatusChange runs on the engine's delivery goroutine, one change at a time.
func (w *watching) onStatusChange(c engine.StatusChange) {
	if c.Status == engine.Running {
		return
	}
	change := attention.Change{ExecutionARN: c.ExecutionARN, Name: c.Name, Status: string(c.Status),
		StartDate: c.StartDate, Error: c.Error, Cause: c.Cause, RedriveCount: c.RedriveCount}
	backoff := watchBackoff
	for try := 0; ; try++ {
		outcome, why, err := w.stack.Watcher.Handle(context.Background(), change)
		if err == nil {
			w.log.Debug("status change handled", "fareId", c.Name, "outcome", outcome, "why", why)
			break
		}
		if try == watchRetries {
			// EventBridge would keep the event in the rule's dead-letter queue: say so loudly.
			w.log.Error("status change dropped after retries", "fareId", c.Name, "executionArn", c.ExecutionARN, "error", err.Error())
			break
		}
		_ = w.stack.Clock.Sleep(context.Background(), backoff)
		backoff *= 2
	}
	key := runKey{c.ExecutionARN, c.StartDate, c.RedriveCount}
	if done := w.done(key); !isClosed(done) {
		close(done)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.order = append(w.order, key)
	if len(w.order) > rememberedRuns {
		delete(w.handled, w.order[0])
		w.order = w.order[1:]
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// forget drops a handled run someone waited for.
func (w *watching) forget(key runKey) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.handled, key)
}

// remember keeps an execution started through the stack, for LastState.
func (w *watching) remember(x *engine.Execution) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started[x.ARN] = x
}

// Stopped implements attention.Executions from the engine's own history of the
// executions this stack started.
func (w *watching) Stopped(_ context.Context, arn string) (attention.Stop, error) {
	w.mu.Lock()
	x := w.started[arn]
	w.mu.Unlock()
	if x == nil {
		return attention.Stop{}, nil
	}
	events := x.History.Events()
	var r attention.StopReader
	for i := len(events) - 1; i >= 0 && !r.Complete(); i-- {
		if e := events[i]; e.StateEntered != nil {
			r.Entered(e.StateEntered.Name)
		} else if e.TaskScheduled != nil {
			r.Scheduled(e.TaskScheduled.Parameters)
		} else if e.ExecutionStarted != nil {
			r.Started(e.ExecutionStarted.Input)
		}
	}
	return r.Stop(), nil
}

// recordingTopic publishes the watcher's messages to the stack's recording topic.
type recordingTopic struct{ topic *task.SNS }

func (t recordingTopic) Publish(ctx context.Context, m attention.Message) error {
	attribute := func(v string) map[string]any { return map[string]any{"DataType": "String", "StringValue": v} }
	attributes := map[string]any{"IsSuccessful": attribute(strconv.FormatBool(m.Successful))}
	if m.NeedsAttention {
		attributes["NeedsAttention"] = attribute("true")
	}
	_, err := t.topic.Invoke(ctx, task.Request{Resource: "arn:aws:states:::sns:publish", Arguments: jsonvalue.FromGo(map[string]any{
		"TopicArn": TopicARN, "Message": m.Body, "MessageAttributes": attributes,
	})})
	return err
}

// Settled waits until the attention watcher has handled the end of x's latest run, so
// that a fare it left unfinished is marked and announced when the caller looks.
func (s *Stack) Settled(ctx context.Context, x *engine.Execution) error {
	r, err := x.Wait(ctx)
	if err != nil {
		return err
	}
	key := runKey{x.ARN, x.StartTime, r.RedriveCount}
	select {
	case <-s.watching.done(key):
		s.watching.forget(key)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Describe implements attention.Redriver for the executions this stack started.
func (w *watching) Describe(_ context.Context, arn string) (attention.Execution, bool, error) {
	w.mu.Lock()
	x := w.started[arn]
	w.mu.Unlock()
	if x == nil {
		return attention.Execution{}, false, nil
	}
	r := x.Result()
	status, reason := x.RedriveStatus()
	return attention.Execution{ARN: x.ARN, Status: string(r.Status), StartDate: x.StartTime,
		RedriveStatus: status, RedriveStatusReason: reason, RedriveCount: r.RedriveCount}, true, nil
}

// Redrive implements attention.Redriver with RedriveExecution's client tokens: a token
// that redrove the execution already answers as that redrive did, without another (AWS
// remembers an execution's last 10 for 15 minutes; here the last 10, for as long as the
// execution is remembered). Two operators resuming at once rely on it.
func (w *watching) Redrive(ctx context.Context, arn, clientToken string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	x := w.started[arn]
	if x == nil {
		return fmt.Errorf("%w: no execution %s", attention.ErrNotRedrivable, arn)
	}
	if slices.Contains(w.redriveTokens[arn], clientToken) {
		return nil
	}
	_, err := w.stack.Engine.Redrive(context.WithoutCancel(ctx), x)
	var refused *engine.NotRedrivableError
	if errors.As(err, &refused) {
		return fmt.Errorf("%w: %s", attention.ErrNotRedrivable, refused.Reason)
	}
	if err == nil {
		tokens := append(w.redriveTokens[arn], clientToken)
		w.redriveTokens[arn] = tokens[max(0, len(tokens)-10):]
	}
	return err
}

// Resume resumes a stuck fare of this stack, as POST /fares/{fareId}/resume does: its
// execution is redriven from where it stopped.
func (s *Stack) Resume(ctx context.Context, fareID string) (attention.Resumption, error) {
	return attention.Resume(ctx, s.Services.Fare, s.watching, fareID)
}
