package history

import (
	"strings"
	"time"
)

// stored is an event as the log keeps it: its details behind one pointer instead of
// one field per kind of details, a quarter of an Event's size. An execution appends
// dozens of events per second of work; Event's shape is only needed when someone reads.
type stored struct {
	at       time.Time
	kind     string
	id, prev int64
	details  any
}

// pack keeps the one details field set (Event has at most one).
func pack(e *Event) any {
	for _, d := range []any{
		e.StateEntered, e.StateExited, e.TaskScheduled, e.TaskStarted, e.TaskSucceeded, e.TaskFailed,
		e.LambdaFunctionScheduled, e.LambdaFunctionSucceeded, e.LambdaFunctionFailed,
		e.ExecutionStarted, e.ExecutionSucceeded, e.ExecutionFailed, e.ExecutionTimedOut, e.ExecutionAborted,
		e.ExecutionRedriven, e.TaskTimedOut, e.TaskSubmitted, e.LambdaFunctionTimedOut, e.LambdaFunctionStartFailed,
		e.MapStateStarted, e.MapIterationStarted, e.MapIterationSucceeded, e.MapIterationFailed, e.MapIterationAborted,
		e.EvaluationFailed,
	} {
		if !isNil(d) {
			return d
		}
	}
	return nil
}

// isNil tells a typed nil pointer inside an interface from a value.
func isNil(d any) bool {
	switch p := d.(type) {
	case *StateEnteredDetails:
		return p == nil
	case *StateExitedDetails:
		return p == nil
	case *TaskScheduledDetails:
		return p == nil
	case *TaskResource:
		return p == nil
	case *TaskOutputDetails:
		return p == nil
	case *TaskFailureDetails:
		return p == nil
	case *LambdaScheduledDetails:
		return p == nil
	case *OutputDetails:
		return p == nil
	case *FailureDetails:
		return p == nil
	case *ExecutionStartedDetails:
		return p == nil
	case *ExecutionRedrivenDetails:
		return p == nil
	case *MapStartedDetails:
		return p == nil
	case *MapIterationDetails:
		return p == nil
	case *EvaluationFailedDetails:
		return p == nil
	}
	return d == nil
}

// unpack rebuilds the Event, its details in the field its type names.
func (s *stored) unpack() Event {
	e := Event{Timestamp: s.at, Type: s.kind, ID: s.id, PreviousEventID: s.prev}
	if s.details == nil {
		return e
	}
	switch {
	case strings.HasSuffix(s.kind, "StateEntered"):
		e.StateEntered, _ = s.details.(*StateEnteredDetails)
		return e
	case strings.HasSuffix(s.kind, "StateExited"):
		e.StateExited, _ = s.details.(*StateExitedDetails)
		return e
	}
	switch d := s.details.(type) {
	case *ExecutionStartedDetails:
		e.ExecutionStarted = d
	case *ExecutionRedrivenDetails:
		e.ExecutionRedriven = d
	case *TaskScheduledDetails:
		e.TaskScheduled = d
	case *TaskResource:
		e.TaskStarted = d
	case *LambdaScheduledDetails:
		e.LambdaFunctionScheduled = d
	case *MapStartedDetails:
		e.MapStateStarted = d
	case *EvaluationFailedDetails:
		e.EvaluationFailed = d
	case *TaskOutputDetails:
		if s.kind == TaskSubmitted {
			e.TaskSubmitted = d
		} else {
			e.TaskSucceeded = d
		}
	case *TaskFailureDetails:
		if s.kind == TaskTimedOut {
			e.TaskTimedOut = d
		} else {
			e.TaskFailed = d
		}
	case *OutputDetails:
		if s.kind == ExecutionSucceeded {
			e.ExecutionSucceeded = d
		} else {
			e.LambdaFunctionSucceeded = d
		}
	case *FailureDetails:
		switch s.kind {
		case ExecutionFailed:
			e.ExecutionFailed = d
		case ExecutionTimedOut:
			e.ExecutionTimedOut = d
		case ExecutionAborted:
			e.ExecutionAborted = d
		case LambdaFunctionTimedOut:
			e.LambdaFunctionTimedOut = d
		case LambdaFunctionStartFailed:
			e.LambdaFunctionStartFailed = d
		default:
			e.LambdaFunctionFailed = d
		}
	case *MapIterationDetails:
		switch s.kind {
		case MapIterationStarted:
			e.MapIterationStarted = d
		case MapIterationSucceeded:
			e.MapIterationSucceeded = d
		case MapIterationFailed:
			e.MapIterationFailed = d
		default:
			e.MapIterationAborted = d
		}
	}
	return e
}
