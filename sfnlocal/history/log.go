package history

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Log is an execution's history, appended to by the interpreter (from several goroutines
// when Parallel branches or Map iterations run) and read by anyone.
type Log struct {
	mu     sync.Mutex
	events []stored
	// full is set once an event was refused for want of room (see MaxEvents); read
	// without the lock before every state.
	full atomic.Bool
	// notify is closed at the next append, for watchers; it exists only while someone
	// watches, so an unwatched history pays nothing for it.
	notify chan struct{}
}

// NewLog returns an empty history.
func NewLog() *Log { return NewLogWithRoom(16) }

// NewLogWithRoom returns an empty history with room for n events without growing: a
// caller that knows how long such histories get saves the copies of growing it.
func NewLogWithRoom(n int) *Log {
	return &Log{events: make([]stored, 0, min(max(n, 4), 1024))}
}

// MaxEvents is AWS's limit on an execution's history: 25,000 events. The last place
// is kept for the event that ends the execution.
const MaxEvents = 25_000

// Append records e (read, not kept), numbering it, and returns its id. previous is the id of the event
// that led to it in the same thread of execution (0 for the first). Once the history
// holds MaxEvents-1 events it records nothing more but the end of the execution
// (AppendFinal): Full then says so, and the interpreter fails the execution.
func (l *Log) Append(at time.Time, previous int64, e *Event) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) >= MaxEvents-1 {
		l.full.Store(true)
		return int64(len(l.events))
	}
	return l.appendLocked(at, previous, e)
}

// AppendPair records a and then b, which follows it, under one lock (a Task's
// scheduled and started events), and returns b's id.
func (l *Log) AppendPair(at time.Time, previous int64, a, b *Event) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range [2]*Event{a, b} {
		if len(l.events) >= MaxEvents-1 {
			l.full.Store(true)
			return int64(len(l.events))
		}
		previous = l.appendLocked(at, previous, e)
	}
	return previous
}

// AppendFinal records the event that ends an execution, which always has its place.
func (l *Log) AppendFinal(at time.Time, previous int64, e *Event) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.appendLocked(at, previous, e)
}

// Full reports whether an event was refused because the history reached MaxEvents.
func (l *Log) Full() bool { return l.full.Load() }

func (l *Log) appendLocked(at time.Time, previous int64, e *Event) int64 {
	id := int64(len(l.events) + 1)
	k := kind(e.Kind) - 1
	if e.Kind == 0 {
		k = kindOf(e.Type)
	}
	l.events = append(l.events, stored{at: at.UnixNano(), kind: k, prev: int32(previous),
		details: pack(e), payload: e.Payload, payloadSet: e.PayloadSet})
	if l.notify != nil {
		close(l.notify)
		l.notify = nil
	}
	return id
}

// Events returns a copy of the events so far.
func (l *Log) Events() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.between(1, len(l.events))
}

// Between returns the events whose ids run from first to last, both included and
// clamped to those that exist: a page, without rendering the rest.
func (l *Log) Between(first, last int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.between(first, last)
}

// BetweenWithoutData is Between without the payloads' texts (inputs, outputs,
// parameters), for a reader that does not want them: nothing is rendered.
func (l *Log) BetweenWithoutData(first, last int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	first, last = max(first, 1), min(last, len(l.events))
	if first > last {
		return nil
	}
	events := make([]Event, 0, last-first+1)
	for i := first - 1; i < last; i++ {
		s := l.events[i]
		s.payloadSet = false
		events = append(events, s.unpack(int64(i+1)))
	}
	return events
}

func (l *Log) between(first, last int) []Event {
	first, last = max(first, 1), min(last, len(l.events))
	if first > last {
		return nil
	}
	events := make([]Event, 0, last-first+1)
	for i := first - 1; i < last; i++ {
		events = append(events, l.events[i].unpack(int64(i+1)))
	}
	return events
}

// Len is the number of events so far.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// Changed returns a channel closed at the next append: a watcher (a progress display,
// a long poll) waits on it instead of polling.
func (l *Log) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.notify == nil {
		l.notify = make(chan struct{})
	}
	return l.notify
}

// LastID is the id of the latest event, 0 when there is none.
func (l *Log) LastID() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.events))
}

// ApproximateBytes estimates the memory the history holds: each event's fixed part,
// its texts, and its payload values, each value and string counted once however many
// events share it (as they do: a state's output is the next one's input).
func (l *Log) ApproximateBytes() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var f jsonvalue.Footprint
	f.Bytes = int64(cap(l.events)) * int64(unsafe.Sizeof(stored{}))
	for i := range l.events {
		s := &l.events[i]
		f.Bytes += 64 // the details struct
		if s.payloadSet {
			f.Add(s.payload)
		}
		for _, text := range detailsTexts(s.details) {
			f.AddString(text)
		}
	}
	return f.Bytes
}

// detailsTexts are the texts an event's details hold.
func detailsTexts(d any) []string {
	switch d := d.(type) {
	case *StateEnteredDetails:
		return []string{d.Name, d.Input}
	case *StateExitedDetails:
		return []string{d.Name, d.Output}
	case *ExecutionStartedDetails:
		return []string{d.Input, d.RoleArn}
	case *OutputDetails:
		return []string{d.Output}
	case *TaskOutputDetails:
		return []string{d.Output}
	case *TaskScheduledDetails:
		return []string{d.Parameters}
	case *LambdaScheduledDetails:
		return []string{d.Input, d.Resource}
	case *FailureDetails:
		return []string{d.Error, d.Cause}
	case *TaskFailureDetails:
		return []string{d.Error, d.Cause}
	case *EvaluationFailedDetails:
		return []string{d.Error, d.Cause, d.State}
	}
	return nil
}
