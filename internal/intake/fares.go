package intake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Where a fare stands, as GET /fares/{fareId} and POST /fares answer it.
const (
	StatusRunning        = "RUNNING"
	StatusCompleted      = "COMPLETED"
	StatusCancelled      = "CANCELLED"
	StatusNeedsAttention = "NEEDS_ATTENTION"
)

// Submission is the answer to POST /fares: 202 for a fare started now, 200 for the
// same fare submitted again.
type Submission struct {
	FareID       string `json:"fareId"`
	ExecutionArn string `json:"executionArn"`
	Status       string `json:"status"`
}

// FareStatus is the answer to GET /fares/{fareId}.
type FareStatus struct {
	FareID string `json:"fareId"`
	// Status is where the fare stands: RUNNING, COMPLETED, CANCELLED or NEEDS_ATTENTION.
	Status string `json:"status"`
	// ExecutionStatus is the execution's own status (RUNNING, SUCCEEDED, FAILED,
	// TIMED_OUT, ABORTED...), absent once Step Functions has forgotten the execution.
	ExecutionStatus string `json:"executionStatus,omitempty"`
	// Error and Cause are the failed execution's, with card numbers redacted.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Amount (minor units) and Currency, when the fare is known well enough to say.
	Amount   *int64 `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	// Attention says where a stuck fare's execution stopped, for an operator.
	Attention *Attention `json:"attention,omitempty"`
}

// Attention is what an operator needs to know of a fare that needs attention.
type Attention struct {
	// State is where the execution stopped: the compensation that exhausted its retries,
	// or the state it stood in when it was stopped or timed out.
	State string `json:"state"`
	// ExecutionStatus is how it stopped: FAILED, ABORTED or TIMED_OUT.
	ExecutionStatus string `json:"executionStatus"`
	Error           string `json:"error,omitempty"`
	Cause           string `json:"cause,omitempty"`
	// FailedState and FailureError are what the saga was compensating, if it was.
	FailedState  string `json:"failedState,omitempty"`
	FailureError string `json:"failureError,omitempty"`
	// Resumes counts the resumes so far; WillRun is what a resume would run.
	Resumes int      `json:"resumes"`
	WillRun []string `json:"willRun,omitempty"`
}

// submit validates the fare, then finds what holds its fareId: the same fare (200),
// another one (409), or nothing, and then it starts the execution (202).
func (d *Door) submit(x *exchange) (int, any, error) {
	body, err := readBody(x.r)
	var submitted saga.Fare
	if err == nil {
		submitted, err = saga.ParseFare(body)
	}
	if err != nil {
		return 0, nil, refused(x, err)
	}
	x.fareID = submitted.FareID
	ctx := x.r.Context()

	held, err := d.find(ctx, submitted.FareID)
	if err != nil {
		return 0, nil, err
	}
	if !held.empty() {
		return d.alreadyHeld(x, held, submitted)
	}
	started, err := d.cfg.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(d.cfg.StateMachineARN),
		Name:            aws.String(submitted.FareID),
		Input:           aws.String(submitted.Input()),
	})
	var exists *sfntypes.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		// Another request started this fareId between our look and our start.
		if held, err = d.find(ctx, submitted.FareID); err != nil {
			return 0, nil, err
		}
		if held.empty() {
			return 0, nil, unavailable("starting the execution", errors.New("ExecutionAlreadyExists, yet no execution or fare holds the fareId"))
		}
		return d.alreadyHeld(x, held, submitted)
	}
	if err != nil {
		return 0, nil, unavailable("starting the execution", err)
	}
	x.log().Info("execution started", "executionArn", aws.ToString(started.ExecutionArn))
	return http.StatusAccepted, Submission{FareID: submitted.FareID, ExecutionArn: aws.ToString(started.ExecutionArn), Status: StatusRunning}, nil
}

// alreadyHeld answers a fare whose fareId is held: 200 when it is this fare, 409 when
// it is another.
func (d *Door) alreadyHeld(x *exchange, held holding, submitted saga.Fare) (int, any, error) {
	if !held.holdsOnly(submitted.Digest()) {
		x.log().Warn("the fareId is taken by a different fare; nothing was started")
		return 0, nil, &Error{Code: FareIDTaken, Message: "the fareId is taken by a different fare; nothing was started"}
	}
	status := held.fareStatus()
	x.log().Info("the same fare was submitted again; nothing was started", "fareStatus", status)
	return http.StatusOK, Submission{FareID: submitted.FareID, ExecutionArn: d.executionARN(submitted.FareID), Status: status}, nil
}

// refused turns a validation error into the 400 answer. Its problems name fields and
// places, never values; they pass through RedactCardNumbers all the same, as everything
// the door returns does: the detector is the one place that decides.
func refused(x *exchange, err error) error {
	var invalid *steperr.InvalidFareInput
	if !errors.As(err, &invalid) {
		return err
	}
	problems := make([]string, len(invalid.Problems))
	for i, problem := range invalid.Problems {
		problems[i] = saga.RedactCardNumbers(problem)
	}
	x.log().Warn("fare refused; nothing was started", "problems", problems)
	return &Error{Code: InvalidFareInput, Message: "the fare is refused; nothing was started", Problems: problems}
}

// status answers where a fare stands.
func (d *Door) status(x *exchange) (int, any, error) {
	fareID := x.params["fareId"]
	// A card number is a valid fareId to the pattern; the door never starts one, and
	// must not log it.
	if !saga.ValidFareID(fareID) || saga.ContainsCardNumber(fareID) {
		// Not a fareId the door would ever start, and not to be logged: 404.
		return 0, nil, &Error{Code: NotFound, Message: "no fare has this fareId"}
	}
	x.fareID = fareID
	held, err := d.find(x.r.Context(), fareID)
	if err != nil {
		return 0, nil, err
	}
	if held.empty() {
		return 0, nil, &Error{Code: NotFound, Message: "no fare has this fareId"}
	}
	answer := FareStatus{FareID: fareID, Status: held.fareStatus()}
	if x := held.execution; x != nil {
		answer.ExecutionStatus = string(x.Status)
		// An execution started from the console never passed the door: its error and
		// cause may carry whatever it was given.
		answer.Error = saga.RedactCardNumbers(aws.ToString(x.Error))
		answer.Cause = saga.RedactCardNumbers(aws.ToString(x.Cause))
	}
	if held.record != nil {
		answer.Amount, answer.Currency = aws.Int64(held.record.Amount), held.record.Currency
		if answer.Status == StatusNeedsAttention {
			answer.Attention = attentionOf(*held.record)
		}
	} else if f, ok := held.executionFare(); ok && f.FareID == fareID {
		answer.Amount, answer.Currency = aws.Int64(f.Amount), f.Currency
	}
	return http.StatusOK, answer, nil
}

// holding is what holds a fareId: the execution of that name, and the Fares record.
// Either may be missing: the execution before it is started, or once Step Functions
// has forgotten it (90 days after it closed); the record before RegisterFare wrote it,
// or for good when the input was refused.
type holding struct {
	execution *sfn.DescribeExecutionOutput
	record    *fare.Record
}

func (h holding) empty() bool { return h.execution == nil && h.record == nil }

// find reads the execution first and the record after it, so that a record read
// reflects every write of an execution seen ended.
func (d *Door) find(ctx context.Context, fareID string) (holding, error) {
	var h holding
	described, err := d.cfg.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(d.executionARN(fareID))})
	var missing *sfntypes.ExecutionDoesNotExist
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return holding{}, unavailable("reading the execution", err)
	case described.InputDetails != nil && !described.InputDetails.Included:
		return holding{}, &Error{Code: InternalError, Message: "the door cannot read the execution's input",
			Err: errors.New("DescribeExecution did not include the input: the door's role needs kms:Decrypt on the executions' key")}
	default:
		h.execution = described
	}
	record, found, err := d.fares.Get(ctx, fareID)
	if err != nil {
		return holding{}, unavailable("reading the fare", err)
	}
	if found {
		h.record = &record
	}
	return h, nil
}

// executionFare is the fare the execution was started with, when it is one.
func (h holding) executionFare() (saga.Fare, bool) {
	if h.execution == nil {
		return saga.Fare{}, false
	}
	f, err := saga.ParseFare(json.RawMessage(aws.ToString(h.execution.Input)))
	return f, err == nil
}

// holdsOnly reports whether everything that holds the fareId holds the fare of this
// digest. An execution whose input is no fare (started from the console) or a record
// without a digest holds something else.
func (h holding) holdsOnly(digest string) bool {
	if h.execution != nil {
		if f, ok := h.executionFare(); !ok || f.Digest() != digest {
			return false
		}
	}
	return h.record == nil || h.record.FareDigest == digest
}

// fareStatus says where the fare stands. The record knows best; without one, nothing
// was written, and the execution says whether something still may be.
func (h holding) fareStatus() string {
	if h.record != nil {
		switch h.record.Status {
		case fare.Completed:
			return StatusCompleted
		case fare.Cancelled:
			return StatusCancelled
		case fare.NeedsAttention:
			return StatusNeedsAttention
		case fare.Registered:
			// Registered, yet its own execution has ended: the saga stopped half-way (an
			// operator stopped it, it timed out, or its last state failed) and nobody
			// will finish it but an operator.
			if h.execution != nil && h.execution.Status != sfntypes.ExecutionStatusRunning && h.ownedByExecution() {
				return StatusNeedsAttention
			}
			return StatusRunning
		}
		return StatusNeedsAttention // a status this door does not know: someone must look
	}
	switch h.execution.Status {
	case sfntypes.ExecutionStatusRunning:
		return StatusRunning
	case sfntypes.ExecutionStatusSucceeded:
		return StatusCompleted
	case sfntypes.ExecutionStatusAborted, sfntypes.ExecutionStatusTimedOut:
		// Stopped before its fare was written: the Lambda it had invoked may still write
		// it, and the attention watcher writes it NEEDS_ATTENTION for an operator to
		// resume. Saying CANCELLED now would be a final word taken back.
		if f, ok := h.executionFare(); ok && f.FareID == aws.ToString(h.execution.Name) {
			return StatusNeedsAttention
		}
	}
	// Ended before RegisterFare wrote anything (bad input, refused by RegisterFare):
	// nothing was charged or credited.
	return StatusCancelled
}

// ownedByExecution reports whether the record was written by the execution described:
// its owner is that execution's ARN and start time (saga.Execution.Owner).
func (h holding) ownedByExecution() bool {
	arn, started, ok := strings.Cut(h.record.OwnerExecution, "@")
	if !ok || arn != aws.ToString(h.execution.ExecutionArn) || h.execution.StartDate == nil {
		return false
	}
	at, err := time.Parse(time.RFC3339Nano, started)
	if err != nil {
		return false
	}
	return h.execution.StartDate.Sub(at).Abs() < time.Millisecond
}
