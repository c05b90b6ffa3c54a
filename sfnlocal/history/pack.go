package history

import (
	"strings"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// stored is an event as the log keeps it: its details behind one pointer instead of
// one field per kind of details, a quarter of an Event's size. An execution appends
// dozens of events per second of work; Event's shape is only needed when someone reads.
type stored struct {
	at         int64 // Unix nanoseconds
	prev       int32 // a history holds at most 25,000 events; an event's id is its place
	kind       kind
	payloadSet bool
	details    any
	payload    any
}

// kind is an event type's number: every event of one type shares its name.
type kind uint16

// kinds numbers event types as they first appear (a few dozen in all). Appending
// looks a number up without a lock; naming one, when the history is read, takes it.
var kinds struct {
	byName sync.Map // string → kind
	mu     sync.RWMutex
	names  []string
}

// knownKinds numbers the event types this package names, before anything runs: a plain
// map, read without a lock or an atomic.
var knownKinds = func() map[string]kind {
	names := []string{ExecutionStarted, ExecutionSucceeded, ExecutionFailed, ExecutionTimedOut, ExecutionAborted,
		ExecutionRedriven, TaskScheduled, TaskStarted, TaskSucceeded, TaskFailed, TaskTimedOut, TaskSubmitted,
		LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, LambdaFunctionFailed,
		LambdaFunctionTimedOut, LambdaFunctionStartFailed, MapStateStarted, MapStateSucceeded, MapStateFailed,
		MapStateAborted, MapIterationStarted, MapIterationSucceeded, MapIterationFailed, MapIterationAborted,
		MapRunStarted, MapRunSucceeded, MapRunFailed, MapRunAborted, ParallelStateStarted, ParallelStateSucceeded,
		ParallelStateFailed, ParallelStateAborted, EvaluationFailed, ActivityScheduled, ActivityScheduleFailed,
		ActivityStarted, ActivitySucceeded, ActivityFailed, ActivityTimedOut}
	for _, stateType := range []string{"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"} {
		names = append(names, Entered(stateType), Exited(stateType))
	}
	known := make(map[string]kind, len(names))
	for _, name := range names {
		known[name] = newKind(name)
	}
	return known
}()

func kindOf(name string) kind {
	if k, ok := knownKinds[name]; ok {
		return k
	}
	if k, ok := kinds.byName.Load(name); ok {
		return k.(kind)
	}
	return newKind(name)
}

// Kind is an event type's number, from KindOf: an Event that carries it in Kind saves
// the log looking its Type up.
type Kind uint16

// KindOf numbers an event type (the zero Kind means "look Type up").
func KindOf(eventType string) Kind { return Kind(kindOf(eventType)) + 1 }

// newKind numbers a name, or returns the number another goroutine just gave it.
func newKind(name string) kind {
	kinds.mu.Lock()
	defer kinds.mu.Unlock()
	if k, ok := kinds.byName.Load(name); ok {
		return k.(kind)
	}
	k := kind(len(kinds.names))
	kinds.names = append(kinds.names, name)
	kinds.byName.Store(name, k)
	return k
}

func (k kind) String() string {
	kinds.mu.RLock()
	defer kinds.mu.RUnlock()
	return kinds.names[k]
}

// pack keeps the one details field set (Event has at most one), the common ones first.
func pack(e *Event) any {
	switch {
	case e.StateEntered != nil:
		return e.StateEntered
	case e.StateExited != nil:
		return e.StateExited
	case e.LambdaFunctionScheduled != nil:
		return e.LambdaFunctionScheduled
	case e.LambdaFunctionSucceeded != nil:
		return e.LambdaFunctionSucceeded
	case e.TaskScheduled != nil:
		return e.TaskScheduled
	case e.TaskStarted != nil:
		return e.TaskStarted
	case e.TaskSucceeded != nil:
		return e.TaskSucceeded
	case e.TaskFailed != nil:
		return e.TaskFailed
	case e.LambdaFunctionFailed != nil:
		return e.LambdaFunctionFailed
	case e.ExecutionStarted != nil:
		return e.ExecutionStarted
	case e.ExecutionSucceeded != nil:
		return e.ExecutionSucceeded
	case e.ExecutionFailed != nil:
		return e.ExecutionFailed
	case e.ExecutionTimedOut != nil:
		return e.ExecutionTimedOut
	case e.ExecutionAborted != nil:
		return e.ExecutionAborted
	case e.ExecutionRedriven != nil:
		return e.ExecutionRedriven
	case e.TaskTimedOut != nil:
		return e.TaskTimedOut
	case e.TaskSubmitted != nil:
		return e.TaskSubmitted
	case e.LambdaFunctionTimedOut != nil:
		return e.LambdaFunctionTimedOut
	case e.LambdaFunctionStartFailed != nil:
		return e.LambdaFunctionStartFailed
	case e.MapStateStarted != nil:
		return e.MapStateStarted
	case e.MapRunStarted != nil:
		return e.MapRunStarted
	case e.MapRunFailed != nil:
		return e.MapRunFailed
	case e.MapIterationStarted != nil:
		return e.MapIterationStarted
	case e.MapIterationSucceeded != nil:
		return e.MapIterationSucceeded
	case e.MapIterationFailed != nil:
		return e.MapIterationFailed
	case e.MapIterationAborted != nil:
		return e.MapIterationAborted
	case e.EvaluationFailed != nil:
		return e.EvaluationFailed
	case e.ActivityScheduled != nil:
		return e.ActivityScheduled
	case e.ActivityStarted != nil:
		return e.ActivityStarted
	case e.ActivitySucceeded != nil:
		return e.ActivitySucceeded
	case e.ActivityFailed != nil:
		return e.ActivityFailed
	case e.ActivityTimedOut != nil:
		return e.ActivityTimedOut
	}
	return nil
}

// rendered is the event's details with the payload's text written into a copy. The
// text is not kept: a long history read page by page costs the memory of one page,
// not of every payload's text (payloads are shared values; their texts would not be).
func (s stored) rendered() stored {
	if !s.payloadSet {
		return s
	}
	text := jsonvalue.Text(s.payload)
	switch d := s.details.(type) {
	case *StateEnteredDetails:
		c := *d
		c.Input = text
		s.details = &c
	case *StateExitedDetails:
		c := *d
		c.Output = text
		s.details = &c
	case *TaskScheduledDetails:
		c := *d
		c.Parameters = text
		s.details = &c
	case *LambdaScheduledDetails:
		c := *d
		c.Input = text
		s.details = &c
	case *ActivityScheduledDetails:
		c := *d
		c.Input = text
		s.details = &c
	case *TaskOutputDetails:
		c := *d
		c.Output = text
		s.details = &c
	case *OutputDetails:
		c := *d
		c.Output = text
		s.details = &c
	}
	s.payload, s.payloadSet = nil, false
	return s
}

// unpack rebuilds the Event, its details in the field its type names.
func (s stored) unpack(id int64) Event {
	s = s.rendered()
	name := s.kind.String()
	e := Event{Timestamp: time.Unix(0, s.at).UTC(), Type: name, ID: id, PreviousEventID: int64(s.prev)}
	if s.details == nil {
		return e
	}
	switch {
	case strings.HasSuffix(name, "StateEntered"):
		e.StateEntered, _ = s.details.(*StateEnteredDetails)
		return e
	case strings.HasSuffix(name, "StateExited"):
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
	case *MapRunDetails:
		e.MapRunStarted = d
	case *EvaluationFailedDetails:
		e.EvaluationFailed = d
	case *ActivityScheduledDetails:
		e.ActivityScheduled = d
	case *ActivityStartedDetails:
		e.ActivityStarted = d
	case *TaskOutputDetails:
		if name == TaskSubmitted {
			e.TaskSubmitted = d
		} else {
			e.TaskSucceeded = d
		}
	case *TaskFailureDetails:
		if name == TaskTimedOut {
			e.TaskTimedOut = d
		} else {
			e.TaskFailed = d
		}
	case *OutputDetails:
		if name == ExecutionSucceeded {
			e.ExecutionSucceeded = d
		} else if name == ActivitySucceeded {
			e.ActivitySucceeded = d
		} else {
			e.LambdaFunctionSucceeded = d
		}
	case *FailureDetails:
		switch name {
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
		case ActivityFailed:
			e.ActivityFailed = d
		case ActivityTimedOut:
			e.ActivityTimedOut = d
		case MapRunFailed:
			e.MapRunFailed = d
		default:
			e.LambdaFunctionFailed = d
		}
	case *MapIterationDetails:
		switch name {
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
