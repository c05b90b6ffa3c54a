package history

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var at = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestAppendNumbersEvents(t *testing.T) {
	l := NewLog()
	first := l.Append(at, 0, &Event{Type: ExecutionStarted, ExecutionStarted: &ExecutionStartedDetails{Input: "{}"}})
	second := l.Append(at, first, &Event{Type: Entered("Pass"), StateEntered: &StateEnteredDetails{Name: "A"}})
	assert.Equal(t, int64(1), first)
	assert.Equal(t, int64(2), second)
	events := l.Events()
	require.Len(t, events, 2)
	assert.Equal(t, int64(1), events[1].PreviousEventID)
	assert.Equal(t, "PassStateEntered", events[1].Type)
	assert.Equal(t, "A", events[1].StateName())
}

func TestEventJSONUsesAWSNames(t *testing.T) {
	e := Event{Type: TaskScheduled, ID: 3, PreviousEventID: 2, Timestamp: at,
		TaskScheduled: &TaskScheduledDetails{TaskResource: TaskResource{ResourceType: "lambda", Resource: "invoke"}, Region: "us-east-1", Parameters: "{}", TimeoutInSeconds: 15}}
	raw, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"timestamp":1795780800,"type":"TaskScheduled","id":3,"previousEventId":2,
		"taskScheduledEventDetails":{"resourceType":"lambda","resource":"invoke","region":"us-east-1","parameters":"{}","timeoutInSeconds":15}}`, string(raw))
}

func TestChangedWakesWatchers(t *testing.T) {
	l := NewLog()
	changed := l.Changed()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-changed
	}()
	l.Append(at, 0, &Event{Type: ExecutionStarted})
	wg.Wait()
	assert.Equal(t, 1, l.Len())
}

func TestStateNameOfEventsWithoutAState(t *testing.T) {
	e := Event{Type: ParallelStateStarted}
	assert.Equal(t, "", e.StateName())
	e = Event{Type: MapIterationStarted, MapIterationStarted: &MapIterationDetails{Name: "M", Index: 2}}
	assert.Equal(t, "M", e.StateName())
	e = Event{Type: EvaluationFailed, EvaluationFailed: &EvaluationFailedDetails{State: "S"}}
	assert.Equal(t, "S", e.StateName())
}

func TestAppendPairKeepsTheLimit(t *testing.T) {
	l := NewLog()
	at := time.Unix(0, 0)
	for range MaxEvents - 2 {
		l.Append(at, int64(l.Len()), &Event{Type: Entered("Pass")})
	}
	last := l.AppendPair(at, int64(l.Len()), &Event{Type: TaskScheduled}, &Event{Type: TaskStarted})
	assert.Equal(t, int64(MaxEvents-1), last, "the first of the pair fits, the second is refused")
	assert.True(t, l.Full())
	l.AppendFinal(at, last, &Event{Type: ExecutionFailed})
	assert.Equal(t, int64(MaxEvents), l.LastID())
	events := l.Between(MaxEvents-2, MaxEvents)
	assert.Equal(t, []string{Entered("Pass"), TaskScheduled, ExecutionFailed}, []string{events[0].Type, events[1].Type, events[2].Type})

	pair := NewLog()
	id := pair.AppendPair(at, 0, &Event{Type: TaskScheduled}, &Event{Type: TaskStarted})
	got := pair.Events()
	assert.Equal(t, int64(2), id)
	assert.Equal(t, int64(1), got[1].PreviousEventID, "the second follows the first")
}
