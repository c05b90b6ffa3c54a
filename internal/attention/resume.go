package attention

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/statemachine"
)

// Execution is what a resume needs to know of a fare's execution.
type Execution struct {
	ARN       string
	Status    string // RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
	StartDate time.Time
	// RedriveStatus is REDRIVABLE or NOT_REDRIVABLE, with the reason when not.
	RedriveStatus, RedriveStatusReason string
	RedriveCount                       int
}

// Redriver is what a resume asks of Step Functions.
type Redriver interface {
	// Describe returns the execution, and false when Step Functions does not know it.
	Describe(ctx context.Context, executionARN string) (Execution, bool, error)
	// Redrive continues a stopped execution; the same clientToken again makes Step
	// Functions answer with the redrive it made instead of redriving again.
	Redrive(ctx context.Context, executionARN, clientToken string) error
}

// ErrNotRedrivable is what a Redriver returns when Step Functions refuses the redrive.
var ErrNotRedrivable = errors.New("step functions refused to redrive the execution")

// Resumption is a resume that was made: the execution runs again from ResumedFrom.
type Resumption struct {
	FareID       string   `json:"fareId"`
	ExecutionARN string   `json:"executionArn"`
	Status       string   `json:"status"` // RUNNING
	ResumedFrom  string   `json:"resumedFrom"`
	WillRun      []string `json:"willRun"` // when all goes well
	Resumes      int      `json:"resumes"` // this one included
}

// Why a fare cannot be resumed.
var (
	ErrUnknownFare = errors.New("no fare has this fareId: nothing was written for it, so there is nothing to resume")
	// ErrChanged: the fare moved on while it was being resumed (another resume, say).
	ErrChanged = errors.New("the fare changed while it was being resumed: ask where it stands and try again")
)

// NotStuckError: the fare does not need attention (it runs, or it ended).
type NotStuckError struct{ FareStatus, ExecutionStatus string }

func (e *NotStuckError) Error() string {
	return fmt.Sprintf("the fare is %s and its execution %s: there is nothing to resume", e.FareStatus, e.ExecutionStatus)
}

// NotResumableError: the fare is stuck but Step Functions cannot redrive its execution
// (forgotten, older than 14 days, or not the fare's owner): the runbook says what then.
type NotResumableError struct{ Reason string }

func (e *NotResumableError) Error() string { return "the fare cannot be resumed: " + e.Reason }

// Resume redrives the execution of a fare that needs attention: it runs again from the
// state where it stopped (the compensation that exhausted its retries, or the state it
// stood in when stopped or timed out) and goes on in order. The fare is taken back to
// REGISTERED first, so that the saga's steps act on it again, and marked again if the
// redrive cannot be made. A fare left REGISTERED by a stopped execution before the
// watcher marked it (or by a resume whose redrive never came) is resumed the same way.
// Running it again after it succeeded is refused as not stuck.
func Resume(ctx context.Context, fares *fare.Service, sf Redriver, fareID string) (Resumption, error) {
	record, found, err := fares.Get(ctx, fareID)
	switch {
	case err != nil:
		return Resumption{}, err
	case !found:
		return Resumption{}, ErrUnknownFare
	}
	arn := record.ExecutionARN()
	x, known, err := sf.Describe(ctx, arn)
	switch {
	case err != nil:
		return Resumption{}, fmt.Errorf("describe execution %s: %w", arn, err)
	case !known:
		return Resumption{}, &NotResumableError{Reason: "Step Functions no longer knows the fare's execution (it forgets them 90 days after they close)"}
	case !ownedBy(record, Change{ExecutionARN: x.ARN, StartDate: x.StartDate}):
		return Resumption{}, &NotResumableError{Reason: "the execution of this name is not the one that owns the fare"}
	}
	stopped := x.Status == "FAILED" || x.Status == "ABORTED" || x.Status == "TIMED_OUT"
	if !stopped || (record.Status != fare.NeedsAttention && record.Status != fare.Registered) {
		return Resumption{}, &NotStuckError{FareStatus: string(record.Status), ExecutionStatus: x.Status}
	}
	if x.RedriveStatus != "REDRIVABLE" {
		return Resumption{}, &NotResumableError{Reason: "Step Functions cannot redrive the fare's execution: " + x.RedriveStatusReason}
	}
	run := x.RedriveCount + 1
	// A fare REGISTERED with the next run's count was taken by a resume whose redrive has
	// not come yet (a crash between the two, or another operator's resume under way): the
	// same client token makes the redrive once. Otherwise the fare is taken first.
	taken := !(record.Status == fare.Registered && record.Resumes == run)
	if taken {
		if _, err := fares.BeginResume(ctx, fareID, record.OwnerExecution, record.Status, run); errors.Is(err, fare.ErrNotMarked) {
			return Resumption{}, ErrChanged
		} else if err != nil {
			return Resumption{}, err
		}
	}
	if err := sf.Redrive(ctx, arn, fmt.Sprintf("resume-%s-%d", fareID, run)); err != nil {
		if taken {
			if _, undo := fares.UndoResume(ctx, fareID, record.OwnerExecution, run, record); undo != nil && !errors.Is(undo, fare.ErrNotMarked) {
				// It stays REGISTERED while nothing runs: a resume sent again finishes it.
				err = errors.Join(err, fmt.Errorf("the fare could not be marked again (resume it again): %w", undo))
			}
		}
		if errors.Is(err, ErrNotRedrivable) {
			return Resumption{}, &NotResumableError{Reason: strings.TrimPrefix(err.Error(), ErrNotRedrivable.Error()+": ")}
		}
		return Resumption{}, err
	}
	from := record.AttentionState
	return Resumption{FareID: fareID, ExecutionARN: arn, Status: "RUNNING", ResumedFrom: from,
		WillRun: statemachine.ResumePath(from), Resumes: run}, nil
}
