package engine

import (
	"context"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/history"
)

// Redrive, as AWS defines it: a FAILED, ABORTED or TIMED_OUT execution continues from the
// state that did not finish, with the input that state had, keeping its ARN, its history
// and the results of the states that finished. Only the Parallel branches and Map
// iterations that did not succeed run again. The history gets an ExecutionRedriven event,
// the context object $$.Execution.RedriveCount and RedriveTime, and the machine's
// TimeoutSeconds counts again from the redrive.

// Redrive limits, as AWS documents them.
const (
	// RedrivablePeriod is how long after it stopped an execution can be redriven.
	RedrivablePeriod = 14 * 24 * time.Hour
	// MaxOpenTime is the longest an execution may stay open, redrives included.
	MaxOpenTime = 365 * 24 * time.Hour
	// maxEventsToRedrive: the history must hold fewer events than this, to leave room for
	// ExecutionRedriven and at least one more event under MaxHistoryEvents.
	maxEventsToRedrive = 24_999
)

// Redrive statuses and the reasons AWS gives for NOT_REDRIVABLE.
const (
	Redrivable    = "REDRIVABLE"
	NotRedrivable = "NOT_REDRIVABLE"

	ReasonRunning         = "Execution is RUNNING and cannot be redriven"
	ReasonSucceeded       = "Execution is SUCCEEDED and cannot be redriven"
	ReasonEventLimit      = "Execution history event limit exceeded"
	ReasonMaxTime         = "Execution has exceeded the max execution time"
	ReasonPeriodExceeded  = "Execution redrivable period exceeded"
	ReasonMachineDeleting = "State machine is in DELETING status"
)

// NotRedrivableError is a Redrive of an execution that cannot be redriven; Reason is
// one of the Reason... texts.
type NotRedrivableError struct{ Reason string }

func (e *NotRedrivableError) Error() string { return e.Reason }

// resumePoint is where a scope (the machine, a branch, an iteration) stopped without
// finishing: the state to enter again, its input, the scope's variables, and for a
// Parallel or Map state the progress of its branches or iterations.
type resumePoint struct {
	state     string
	input     any
	inputText string
	vars      *variables
	fan       *fanProgress
}

// fanProgress is what a Parallel or Map state's branches or iterations achieved before
// it failed: the outputs of those that succeeded, and where the others stopped (nil:
// they never started, or start again from the beginning).
type fanProgress struct {
	done    []bool
	outputs []any
	resume  []*resumePoint
}

func newFanProgress(n int) *fanProgress {
	return &fanProgress{done: make([]bool, n), outputs: make([]any, n), resume: make([]*resumePoint, n)}
}

// fits tells whether progress recorded for n branches or items applies to a run of n.
func (p *fanProgress) fits(n int) bool { return p != nil && len(p.done) == n }

// RedriveStatus tells whether x can be redriven now, and why not when it cannot.
func (x *Execution) RedriveStatus() (status, reason string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return redriveStatusOf(x, x.resultLocked(), x.engine.clock.Now())
}

func redriveStatusOf(x *Execution, r Result, now time.Time) (string, string) {
	switch {
	case r.Status == Running:
		return NotRedrivable, ReasonRunning
	case r.Status == Succeeded:
		return NotRedrivable, ReasonSucceeded
	case x.History.Len() >= maxEventsToRedrive:
		return NotRedrivable, ReasonEventLimit
	case now.Sub(x.StartTime) >= MaxOpenTime:
		return NotRedrivable, ReasonMaxTime
	case now.Sub(r.StopTime) >= RedrivablePeriod:
		return NotRedrivable, ReasonPeriodExceeded
	}
	return Redrivable, ""
}

// Redrive continues a FAILED, ABORTED or TIMED_OUT execution from the state that did not
// finish, as RedriveExecution does, and returns the redrive's time at once; the
// execution runs again until it ends, and ctx ending aborts it. An execution that
// cannot be redriven is a *NotRedrivableError.
func (e *Engine) Redrive(ctx context.Context, x *Execution) (time.Time, error) {
	x.mu.Lock()
	if x.redriving {
		x.mu.Unlock()
		return time.Time{}, &NotRedrivableError{Reason: ReasonRunning}
	}
	if status, reason := redriveStatusOf(x, x.resultLocked(), e.clock.Now()); status != Redrivable {
		x.mu.Unlock()
		return time.Time{}, &NotRedrivableError{Reason: reason}
	}
	x.redriving = true
	x.mu.Unlock()

	runCtx, cancel := context.WithCancelCause(ctx)
	x.mu.Lock()
	defer x.mu.Unlock()
	now := e.clock.Now()
	point := x.resume
	x.redriving = false
	x.redriveCount++
	x.redriveTime = now
	x.status, x.output, x.errName, x.cause, x.stopTime = Running, "", "", "", time.Time{}
	x.resume = nil
	x.done, x.cancel = nil, cancel
	redriven := x.History.AppendFinal(now, x.History.LastID(), &history.Event{Type: history.ExecutionRedriven,
		ExecutionRedriven: &history.ExecutionRedrivenDetails{RedriveCount: x.redriveCount}})
	e.statusChanged(x, x.resultLocked())
	go x.run.redrive(runCtx, point, redriven, now)
	return now, nil
}
