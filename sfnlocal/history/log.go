package history

import (
	"sync"
	"time"
)

// Log is an execution's history, appended to by the interpreter (from several goroutines
// when Parallel branches or Map iterations run) and read by anyone.
type Log struct {
	mu     sync.Mutex
	events []stored
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

// Append records e, numbering it, and returns its id. previous is the id of the event
// that led to it in the same thread of execution (0 for the first).
func (l *Log) Append(at time.Time, previous int64, e Event) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := int64(len(l.events) + 1)
	l.events = append(l.events, stored{at: at.UnixNano(), kind: kindOf(e.Type), id: int32(id), prev: int32(previous),
		details: pack(&e), payload: e.Payload, payloadSet: e.PayloadSet})
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
	events := make([]Event, len(l.events))
	for i := range l.events {
		events[i] = l.events[i].unpack()
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
