// Package attention is the saga's watcher: it hears every execution of the fare machine
// that ends FAILED, ABORTED or TIMED_OUT (an EventBridge rule on AWS, the engine's status
// changes locally) and, when the execution stopped before its fare was finished, marks the
// fare NEEDS_ATTENTION, says where it stopped, and alerts an operator, who resumes it by
// redriving the execution.
//
// A saga that ends FAILED after compensating everything (a decline, bad input) leaves its
// fare CANCELLED or unwritten, and the watcher does nothing: only an unfinished fare
// (still REGISTERED, owned by that execution) needs a person.
package attention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/statemachine"
)

// Change is an execution's status change, as EventBridge's "Step Functions Execution
// Status Change" event describes it.
type Change struct {
	ExecutionARN string
	Name         string
	Status       string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
	StartDate    time.Time
	Error, Cause string
	RedriveCount int
}

// Executions is what the watcher asks Step Functions: where an execution stopped.
type Executions interface {
	Stopped(ctx context.Context, executionARN string) (Stop, error)
}

// Stop is where an execution stopped, read from its history.
type Stop struct {
	// State is the last state the execution entered, "" for none.
	State string
	// Failure is what made the saga compensate, as the last compensation scheduled was
	// given it; nil when it never compensated.
	Failure *saga.Failure
	// Fare and Execution are what the newest Lambda task was given: that invocation may
	// still be running after the stop (Lambda finishes what it started), and write. When
	// no task was scheduled, Fare is the execution's input and Execution nil.
	Fare      json.RawMessage
	Execution *saga.Execution
}

// StopReader reads a stop from history events fed newest first: the first state
// entered, and the failure in the payload of the first compensation scheduled. Readers
// of a history stop feeding it once it is Complete.
type StopReader struct{ stop Stop }

// Entered feeds a state-entered event.
func (r *StopReader) Entered(state string) {
	if r.stop.State == "" {
		r.stop.State = state
	}
}

// Scheduled feeds a Task's parameters ({"FunctionName": ..., "Payload": {...}} for a
// Lambda Task): every step's payload carries the fare and the execution, and a
// compensation's the saga's failure.
func (r *StopReader) Scheduled(parameters string) {
	var task struct {
		Payload struct {
			Fare      json.RawMessage `json:"fare"`
			Execution *saga.Execution `json:"execution"`
			Failure   *saga.Failure   `json:"failure"`
		} `json:"Payload"`
	}
	if json.Unmarshal([]byte(parameters), &task) != nil {
		return
	}
	if r.stop.Execution == nil && task.Payload.Execution != nil {
		r.stop.Fare, r.stop.Execution = task.Payload.Fare, task.Payload.Execution
	}
	if r.stop.Failure == nil && task.Payload.Failure != nil {
		r.stop.Failure = task.Payload.Failure
	}
}

// Started feeds the execution's input (its ExecutionStarted event, the oldest): the fare,
// when no task was scheduled after it.
func (r *StopReader) Started(input string) {
	if r.stop.Execution == nil && r.stop.Fare == nil && input != "" {
		r.stop.Fare = json.RawMessage(input)
	}
}

// Complete reports whether the reader has all it looks for.
func (r *StopReader) Complete() bool {
	return r.stop.State != "" && r.stop.Failure != nil && r.stop.Execution != nil
}

// Stop is what the reader found.
func (r *StopReader) Stop() Stop { return r.stop }

// Topic is the fare-outcome topic, where the saga announces how each fare ended and
// operators hear of a fare that needs them.
type Topic interface {
	Publish(ctx context.Context, m Message) error
}

// Message is one message to the topic, with the attributes its subscriptions filter on.
type Message struct {
	Body           string
	Successful     bool
	NeedsAttention bool
}

// Alert is what an operator is told about a fare that needs attention.
type Alert struct {
	FareID          string `json:"fareId"`
	CustomerID      string `json:"customerId"`
	Amount          int64  `json:"amount"`
	Currency        string `json:"currency"`
	Status          string `json:"status"` // NEEDS_ATTENTION
	State           string `json:"attentionState"`
	FailedState     string `json:"failedState,omitempty"` // what the saga was compensating
	FailureError    string `json:"failureError,omitempty"`
	ExecutionStatus string `json:"executionStatus"`
	Error           string `json:"error,omitempty"`
	Resumes         int    `json:"resumes"`
	ExecutionARN    string `json:"executionArn"`
}

// Message is the alert as it is published: JSON, like the saga's other outcomes.
func (a Alert) Message() Message {
	out, _ := json.Marshal(a)
	return Message{Body: string(out), NeedsAttention: true}
}

// Announcement is the outcome of a fare the saga finished but whose execution was stopped
// (or timed out) before it announced it: the message NotifySuccess or NotifyFailure would
// have sent, from the fare's record, so the outcome queues hear of every fare.
type Announcement struct {
	FareID      string `json:"fareId"`
	CustomerID  string `json:"customerId"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Status      string `json:"status"` // COMPLETED or CANCELLED
	FailedState string `json:"failedState,omitempty"`
	Error       string `json:"error,omitempty"`
	// AnnouncedBy says who sent it: the fields of the state machine's own message that
	// only its run knew (the authorisation code and charge id) are missing.
	AnnouncedBy string `json:"announcedBy"`
}

// Message is the announcement as it is published.
func (a Announcement) Message() Message {
	out, _ := json.Marshal(a)
	return Message{Body: string(out), Successful: a.Status == string(fare.Completed)}
}

// Outcome says what the watcher did with a change.
type Outcome string

const (
	Ignored Outcome = "IGNORED" // not an unfinished fare of this execution
	Marked  Outcome = "MARKED"  // marked NEEDS_ATTENTION and alerted
	// Realerted: the change was marked already (a retried or repeated event) and the
	// alert went out again, since nothing says the first one did.
	Realerted Outcome = "REALERTED"
	// Announced: the fare was finished but its execution stopped before announcing it;
	// the watcher announced it.
	Announced Outcome = "ANNOUNCED"
)

// Watcher marks and announces unfinished fares.
type Watcher struct {
	Fares      *fare.Service
	Executions Executions
	Topic      Topic
	Log        *slog.Logger
}

// stopped are the statuses that can leave a fare unfinished.
var stopped = map[string]bool{"FAILED": true, "ABORTED": true, "TIMED_OUT": true}

// Handle decides what change means for its fare. An error means nothing may have been
// done: the caller delivers the change again (EventBridge and Lambda retry), and Handle
// is safe to run again.
func (w *Watcher) Handle(ctx context.Context, c Change) (Outcome, string, error) {
	if !stopped[c.Status] {
		return Ignored, "the execution did not stop unfinished (" + c.Status + ")", nil
	}
	log := w.logger().With("fareId", c.Name, "executionArn", c.ExecutionARN, "executionStatus", c.Status, "redriveCount", c.RedriveCount)
	if !saga.ValidFareID(c.Name) {
		// Its RegisterFare refused it: the name cannot be a fare's.
		log = w.logger().With("fareId", "", "executionStatus", c.Status)
		log.Info("ignored: the execution's name is not a fareId")
		return Ignored, "the execution's name is not a fareId", nil
	}
	record, found, err := w.Fares.Get(ctx, c.Name)
	switch {
	case err != nil:
		return "", "", err
	case !found:
		return w.handleUnwritten(ctx, c, log)
	case !ownedBy(record, c):
		log.Info("ignored: the fare belongs to another execution")
		return Ignored, "the fare belongs to another execution", nil
	case record.Status == fare.NeedsAttention && record.Resumes == c.RedriveCount && record.AttentionExecutionStatus == c.Status:
		if err := w.alert(ctx, record, log); err != nil {
			return "", "", err
		}
		return Realerted, "already marked for this run; alerted again", nil
	case (record.Status == fare.Completed || record.Status == fare.Cancelled) && c.Status != "FAILED":
		// Stopped or timed out after the fare's last write, before (or while) announcing
		// it: announce it, at least once, like every outcome.
		a := Announcement{FareID: record.FareID, CustomerID: record.CustomerID, Amount: record.Amount, Currency: record.Currency,
			Status: string(record.Status), AnnouncedBy: "attention watcher: the execution was " + c.Status + " before it announced the fare"}
		if record.Status == fare.Cancelled {
			a.FailedState, a.Error = record.FailedState, record.FailureError
		}
		if err := w.Topic.Publish(ctx, a.Message()); err != nil {
			return "", "", fmt.Errorf("announce fare %s: %w", record.FareID, err)
		}
		log.Info("announced: the fare was finished when its execution stopped", "status", record.Status)
		return Announced, "the fare is " + string(record.Status) + "; announced", nil
	case record.Status != fare.Registered:
		log.Info("ignored: the fare is finished", "status", record.Status)
		return Ignored, "the fare is " + string(record.Status), nil
	}
	stop, err := w.Executions.Stopped(ctx, c.ExecutionARN)
	if err != nil {
		return "", "", fmt.Errorf("read where execution %s stopped: %w", c.ExecutionARN, err)
	}
	state := stop.State
	attention := fare.Attention{State: state, ExecutionStatus: c.Status, Error: c.Error, Cause: saga.RedactCardNumbers(c.Cause)}
	if stop.Failure != nil {
		attention.FailedState, attention.FailureError = stop.Failure.State, stop.Failure.Error
	}
	marked, err := w.Fares.MarkNeedsAttention(ctx, c.Name, record.OwnerExecution, c.RedriveCount, attention)
	if errors.Is(err, fare.ErrNotMarked) {
		log.Info("ignored: the fare moved on (a resume came first)")
		return Ignored, "the fare moved on before it could be marked", nil
	}
	if err != nil {
		return "", "", err
	}
	if err := w.alert(ctx, marked, log); err != nil {
		return "", "", err
	}
	return Marked, "marked NEEDS_ATTENTION at " + state, nil
}

// handleUnwritten decides about an execution that stopped with nothing written for its
// fare. Ended where its path ends (a fare refused as invalid, or another's), it wrote
// nothing and never will. Stopped on the way, it may write still (a Lambda it had invoked
// finishes what it started), and a resume must be able to finish it: the fare is written
// NEEDS_ATTENTION first, which fences that write, and an operator is alerted.
func (w *Watcher) handleUnwritten(ctx context.Context, c Change, log *slog.Logger) (Outcome, string, error) {
	stop, err := w.Executions.Stopped(ctx, c.ExecutionARN)
	if err != nil {
		return "", "", fmt.Errorf("read where execution %s stopped: %w", c.ExecutionARN, err)
	}
	if statemachine.IsEnd(stop.State) || stop.Fare == nil {
		log.Info("ignored: nothing was written for this fare, and nothing is on its way", "attentionState", stop.State)
		return Ignored, "nothing was written for this fare", nil
	}
	if stop.Execution == nil { // stopped before any task: the execution as its event names it
		stop.Execution = &saga.Execution{ID: c.ExecutionARN, Name: c.Name, StartTime: saga.ContextTime(c.StartDate)}
	}
	f, err := saga.ParseFare(stop.Fare)
	if err == nil {
		err = saga.CheckOwnership(f, stop.Execution)
	}
	if err != nil || stop.Execution.ID != c.ExecutionARN {
		log.Info("ignored: nothing was written, and what the execution was given is not a fare it may write")
		return Ignored, "nothing was written for this fare, and the execution may write none", nil
	}
	attention := fare.Attention{State: stop.State, ExecutionStatus: c.Status, Error: c.Error, Cause: saga.RedactCardNumbers(c.Cause)}
	if stop.Failure != nil {
		attention.FailedState, attention.FailureError = stop.Failure.State, stop.Failure.Error
	}
	marked, err := w.Fares.MarkUnwrittenNeedsAttention(ctx, f, *stop.Execution, c.RedriveCount, attention)
	if errors.Is(err, fare.ErrNotMarked) {
		// The late write came first: the fare is there now, decide again.
		return w.Handle(ctx, c)
	}
	if err != nil {
		return "", "", err
	}
	if err := w.alert(ctx, marked, log); err != nil {
		return "", "", err
	}
	return Marked, "written NEEDS_ATTENTION at " + stop.State + ", before a late write of the fare could land", nil
}

// alert publishes the alert and writes the log line the stack's NeedsAttention metric
// counts.
func (w *Watcher) alert(ctx context.Context, r fare.Record, log *slog.Logger) error {
	a := Alert{
		FareID: r.FareID, CustomerID: r.CustomerID, Amount: r.Amount, Currency: r.Currency, Status: string(r.Status),
		State: r.AttentionState, FailedState: r.FailedState, FailureError: r.FailureError,
		ExecutionStatus: r.AttentionExecutionStatus, Error: r.AttentionError,
		Resumes: r.Resumes, ExecutionARN: r.ExecutionARN(),
	}
	if err := w.Topic.Publish(ctx, a.Message()); err != nil {
		return fmt.Errorf("alert for fare %s: %w", r.FareID, err)
	}
	log.Warn(NeedsAttentionMessage, "attentionState", a.State, "error", a.Error, "resumes", a.Resumes)
	return nil
}

// NeedsAttentionMessage is the log message of every alert: the stack counts it.
const NeedsAttentionMessage = "fare needs attention"

// ownedBy reports whether the record is the one c's execution wrote: the same ARN and the
// same start time (an execution that reused the name after Step Functions forgot the
// first has another).
func ownedBy(r fare.Record, c Change) bool {
	arn, start, ok := strings.Cut(r.OwnerExecution, "@")
	if !ok || arn != c.ExecutionARN {
		return false
	}
	started, err := time.Parse(time.RFC3339Nano, start)
	return err == nil && started.Truncate(time.Millisecond).Equal(c.StartDate.Truncate(time.Millisecond))
}

func (w *Watcher) logger() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// eventBridgeDetail is the detail of EventBridge's "Step Functions Execution Status
// Change" event; dates are milliseconds since the epoch.
type eventBridgeDetail struct {
	ExecutionARN string `json:"executionArn"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	StartDate    int64  `json:"startDate"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
	RedriveCount int    `json:"redriveCount"`
}

// ChangeFromEventBridge reads the detail of a "Step Functions Execution Status Change"
// event.
func ChangeFromEventBridge(detail []byte) (Change, error) {
	var d eventBridgeDetail
	if err := json.Unmarshal(detail, &d); err != nil {
		return Change{}, fmt.Errorf("the event's detail is not a Step Functions status change: %w", err)
	}
	if d.ExecutionARN == "" || d.Status == "" {
		return Change{}, errors.New("the event's detail has no executionArn or status: it is not a Step Functions status change")
	}
	return Change{ExecutionARN: d.ExecutionARN, Name: d.Name, Status: d.Status, StartDate: time.UnixMilli(d.StartDate).UTC(),
		Error: d.Error, Cause: d.Cause, RedriveCount: d.RedriveCount}, nil
}

// HandleEvent is the watcher as an EventBridge rule's Lambda target: an error makes
// Lambda retry the event, then leave it in the function's dead-letter queue.
func (w *Watcher) HandleEvent(ctx context.Context, detailType string, detail []byte) error {
	if detailType != StatusChangeDetailType {
		return fmt.Errorf("unexpected event %q: the watcher takes %q", detailType, StatusChangeDetailType)
	}
	c, err := ChangeFromEventBridge(detail)
	if err != nil {
		return err
	}
	_, _, err = w.Handle(ctx, c)
	return err
}

// StatusChangeDetailType is the detail-type of Step Functions' status change events.
const StatusChangeDetailType = "Step Functions Execution Status Change"
