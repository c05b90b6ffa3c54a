package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
)

// brokenUntilFixed is a worker that fails with "Outage" for the inputs the test marks
// broken, and counts its calls per input "id".
type brokenUntilFixed struct {
	mu     sync.Mutex
	broken map[string]bool
	calls  map[string]int
}

type Outage struct{}

func (*Outage) Error() string { return "the service is down" }

func newBrokenUntilFixed(broken ...string) *brokenUntilFixed {
	w := &brokenUntilFixed{broken: map[string]bool{}, calls: map[string]int{}}
	for _, id := range broken {
		w.broken[id] = true
	}
	return w
}

func (w *brokenUntilFixed) handle(_ context.Context, in map[string]any) (map[string]any, error) {
	id := fmt.Sprint(in["id"])
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls[id]++
	if w.broken[id] {
		return nil, &Outage{}
	}
	return map[string]any{"done": id}, nil
}

func (w *brokenUntilFixed) fix() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.broken = map[string]bool{}
}

func (w *brokenUntilFixed) callsOf(id string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[id]
}

func compile(t *testing.T, definition string) *Machine {
	t.Helper()
	m, err := Compile([]byte(definition))
	require.NoError(t, err)
	return m
}

func redriveAndWait(t *testing.T, e *Engine, x *Execution) Result {
	t.Helper()
	_, err := e.Redrive(context.Background(), x)
	require.NoError(t, err)
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	return r
}

func TestRedriveResumesAtTheFailedStateWithItsInput(t *testing.T) {
	worker := newBrokenUntilFixed("t")
	e, _ := testEngine(t, worker.handle)
	x := run(t, e, `{"StartAt":"Before","States":{
		"Before":{"Type":"Pass","Result":{"id":"t"},"ResultPath":"$.call","Next":"Remember"},
		"Remember":{"Type":"Pass","Assign":{"seen.$":"$.call.id"},"Next":"Work"},
		"Work":{"Type":"Task","Resource":"`+fnARN+`","InputPath":"$.call","ResultPath":"$.result",
			"Retry":[{"ErrorEquals":["Outage"],"MaxAttempts":1}],"Next":"After"},
		"After":{"Type":"Pass","Parameters":{"result.$":"$.result","seen.$":"$seen",
			"redrives.$":"$$.Execution.RedriveCount","redrivenAt.$":"$$.Execution.RedriveTime"},"End":true}}}`, `{"fare":7}`)
	failed := x.Result()
	require.Equal(t, Failed, failed.Status)
	assert.Equal(t, "Outage", failed.Error)
	assert.Equal(t, 2, worker.callsOf("t"), "one attempt and one retry")
	failedEvents := x.History.Len()

	worker.fix()
	r := redriveAndWait(t, e, x)
	require.Equal(t, Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
	assert.Equal(t, 3, worker.callsOf("t"), "the redrive runs the failed task once, with its retry budget reset")
	assert.Equal(t, 1, r.RedriveCount)
	assert.JSONEq(t, `{"result":{"done":"t"},"seen":"t","redrives":1,"redrivenAt":"`+formatTime(r.RedriveTime)+`"}`, r.Output)

	events := x.History.Events()
	assert.Equal(t, []string{
		"ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited",
		"TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
		"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "ExecutionFailed",
		"ExecutionRedriven", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
		"LambdaFunctionSucceeded", "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
	}, eventTypes(x))
	redriven := events[failedEvents]
	assert.Equal(t, history.ExecutionRedriven, redriven.Type)
	assert.Equal(t, int64(failedEvents), redriven.PreviousEventID, "chained to the terminal event")
	assert.Equal(t, 1, redriven.ExecutionRedriven.RedriveCount)
	reentered := events[failedEvents+1]
	assert.Equal(t, redriven.ID, reentered.PreviousEventID)
	assert.JSONEq(t, `{"fare":7,"call":{"id":"t"}}`, reentered.StateEntered.Input, "the failed state's own input")
	data, err := json.Marshal(redriven)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"executionRedrivenEventDetails":{"redriveCount":1}`)
}

func TestRedriveRerunsOnlyTheFailedMapIterations(t *testing.T) {
	worker := newBrokenUntilFixed("2", "4")
	e, _ := testEngine(t, worker.handle)
	x := run(t, e, `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemSelector":{"id.$":"$$.Map.Item.Value"},
		"ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"`+fnARN+`","End":true}}},"End":true}}}`,
		`[1,2,3,4,5]`)
	require.Equal(t, Failed, x.Result().Status)
	ran := map[string]int{}
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		ran[id] = worker.callsOf(id)
	}
	succeeded := map[string]bool{}
	for _, ev := range x.History.Events() {
		if ev.Type == history.MapIterationSucceeded {
			succeeded[fmt.Sprint(ev.MapIterationSucceeded.Index+1)] = true
		}
	}
	worker.fix()
	r := redriveAndWait(t, e, x)
	require.Equal(t, Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
	assert.JSONEq(t, `[{"done":"1"},{"done":"2"},{"done":"3"},{"done":"4"},{"done":"5"}]`, r.Output)
	assert.NotEmpty(t, succeeded, "one at a time: item 1 succeeds before item 2 fails")
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		if succeeded[id] {
			assert.Equal(t, ran[id], worker.callsOf(id), "item %s succeeded before the redrive and does not run again", id)
		} else {
			assert.Equal(t, ran[id]+1, worker.callsOf(id), "item %s had not succeeded and runs again", id)
		}
	}
	redriven := 0
	for _, ev := range x.History.Events()[len(x.History.Events())-countAfterRedrive(x):] {
		if ev.Type == history.MapIterationStarted {
			redriven++
		}
	}
	assert.Equal(t, 5-len(succeeded), redriven, "only the unfinished iterations start again")
}

// countAfterRedrive is the number of events after the latest ExecutionRedriven.
func countAfterRedrive(x *Execution) int {
	events := x.History.Events()
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Type == history.ExecutionRedriven {
			return len(events) - i - 1
		}
	}
	return 0
}

func TestRedriveRerunsOnlyTheFailedParallelBranch(t *testing.T) {
	worker := newBrokenUntilFixed("b")
	e, _ := testEngine(t, func(ctx context.Context, in map[string]any) (map[string]any, error) {
		for in["id"] == "b" && worker.callsOf("a") == 0 { // b fails only once a has succeeded
			time.Sleep(time.Millisecond)
		}
		return worker.handle(ctx, in)
	})
	branch := func(id string) string {
		return `{"StartAt":"W` + id + `","States":{"W` + id + `":{"Type":"Task","Resource":"` + fnARN + `","Parameters":{"id":"` + id + `"},"End":true}}}`
	}
	x := run(t, e, `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[`+branch("a")+`,`+branch("b")+`],"End":true}}}`, `{}`)
	require.Equal(t, Failed, x.Result().Status)
	aBefore := worker.callsOf("a")
	worker.fix()
	r := redriveAndWait(t, e, x)
	require.Equal(t, Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
	assert.JSONEq(t, `[{"done":"a"},{"done":"b"}]`, r.Output)
	assert.Equal(t, 1, aBefore)
	assert.Equal(t, 1, worker.callsOf("a"), "branch a succeeded and is not run again")
	assert.Equal(t, 2, worker.callsOf("b"))
}

func TestRedriveOfATimedOutAndOfAStoppedExecution(t *testing.T) {
	e, v := testEngine(t, nil)
	m := compile(t, `{"TimeoutSeconds":60,"StartAt":"Wait","States":{"Wait":{"Type":"Wait","Seconds":30,"Next":"Long"},
		"Long":{"Type":"Wait","Seconds":45,"End":true}}}`)
	x, err := e.Run(context.Background(), m, StartInput{Name: "t"})
	require.NoError(t, err)
	require.Equal(t, TimedOut, x.Result().Status, "30 s + 45 s is past the 60 s timeout")

	before := v.Now()
	r := redriveAndWait(t, e, x)
	assert.Equal(t, Succeeded, r.Status, "the timeout counts again from the redrive: %s", r.Cause)
	assert.Equal(t, before.Add(45*time.Second), v.Now(), "only the Long wait runs again")
	assert.Equal(t, "WaitStateEntered", eventTypes(x)[len(eventTypes(x))-3])

	stopped, err := e.Start(context.Background(), compile(t, `{"StartAt":"Loop","States":{
		"Loop":{"Type":"Wait","Seconds":10,"Next":"Again"},
		"Again":{"Type":"Choice","Choices":[{"Variable":"$.never","IsPresent":true,"Next":"End"}],"Default":"Loop"},
		"End":{"Type":"Succeed"}}}`), StartInput{Name: "s"})
	require.NoError(t, err)
	stopped.Stop("Operator", "pause")
	require.Equal(t, Aborted, stopped.Result().Status)
	_, err = e.Redrive(context.Background(), stopped)
	require.NoError(t, err)
	assert.Equal(t, Running, stopped.Status(), "an aborted execution runs again")
	stopped.Stop("Operator", "stop for good")
	r = stopped.Result()
	assert.Equal(t, Aborted, r.Status)
	assert.Equal(t, "stop for good", r.Cause)
	assert.Equal(t, 1, r.RedriveCount)
}

func TestRedriveOfAFailStateFailsAgain(t *testing.T) {
	e, _ := testEngine(t, nil)
	x := run(t, e, `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken","Cause":"always"}}}`, `{}`)
	status, reason := x.RedriveStatus()
	assert.Equal(t, Redrivable, status, "AWS reports a Fail state's failure as REDRIVABLE: %s", reason)
	r := redriveAndWait(t, e, x)
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "Broken", r.Error)
	assert.Equal(t, []string{"ExecutionStarted", "FailStateEntered", "ExecutionFailed", "ExecutionRedriven", "FailStateEntered", "ExecutionFailed"}, eventTypes(x))
}

func TestRedriveRefusals(t *testing.T) {
	e, v := testEngine(t, func(ctx context.Context, in map[string]any) (map[string]any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	succeeded := run(t, e, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, `{}`)
	failed := run(t, e, `{"StartAt":"F","States":{"F":{"Type":"Fail"}}}`, `{}`)
	running, err := e.Start(context.Background(), compile(t, `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"`+fnARN+`","End":true}}}`), StartInput{Name: "r"})
	require.NoError(t, err)
	t.Cleanup(func() { running.Stop("", "") })
	status, reason := running.RedriveStatus()
	assert.Equal(t, NotRedrivable, status)
	assert.Equal(t, ReasonRunning, reason)

	tests := []struct {
		name    string
		x       *Execution
		advance time.Duration
		reason  string
	}{
		{"succeeded", succeeded, 0, ReasonSucceeded},
		{"failed 14 days ago", failed, RedrivablePeriod, ReasonPeriodExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v.Advance(tt.advance)
			_, err := e.Redrive(context.Background(), tt.x)
			var refused *NotRedrivableError
			require.True(t, errors.As(err, &refused), "%v", err)
			assert.Equal(t, tt.reason, refused.Reason)
			status, reason := tt.x.RedriveStatus()
			assert.Equal(t, NotRedrivable, status)
			assert.Equal(t, tt.reason, reason)
		})
	}
}

func TestStatusChangesAsEventBridgeDeliversThem(t *testing.T) {
	worker := newBrokenUntilFixed("t")
	e, _ := testEngine(t, worker.handle)
	changes := make(chan StatusChange, 10)
	remove := e.OnStatusChange(func(c StatusChange) { changes <- c })
	defer remove()
	x := run(t, e, `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"`+fnARN+`","Parameters":{"id":"t"},"End":true}}}`, `{"in":1}`)
	worker.fix()
	redriveAndWait(t, e, x)

	var got []StatusChange
	for range 4 {
		select {
		case c := <-changes:
			got = append(got, c)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d status changes arrived", len(got))
		}
	}
	var statuses []string
	for _, c := range got {
		statuses = append(statuses, fmt.Sprintf("%s/%d", c.Status, c.RedriveCount))
	}
	assert.Equal(t, []string{"RUNNING/0", "FAILED/0", "RUNNING/1", "SUCCEEDED/1"}, statuses)
	assert.Equal(t, "Outage", got[1].Error)
	assert.Equal(t, Redrivable, got[1].RedriveStatus)
	assert.Equal(t, ReasonRunning, got[2].RedriveStatusReason)

	var event map[string]any
	require.NoError(t, json.Unmarshal(got[1].EventBridgeEvent("id-1", "000000000000", "us-east-1", epoch), &event))
	assert.Equal(t, "Step Functions Execution Status Change", event["detail-type"])
	assert.Equal(t, "aws.states", event["source"])
	detail := event["detail"].(map[string]any)
	assert.Equal(t, "FAILED", detail["status"])
	assert.Equal(t, `{"in":1}`, detail["input"])
	assert.Equal(t, float64(epoch.UnixMilli()), detail["startDate"], "epoch milliseconds")
	assert.Equal(t, "Outage", detail["error"])
	assert.Nil(t, detail["output"])
	assert.Equal(t, "REDRIVABLE", detail["redriveStatus"])
	assert.Contains(t, detail, "stateMachineVersionArn")
}

func TestAStatusChangeHandlerMayRedrive(t *testing.T) {
	worker := newBrokenUntilFixed("t")
	e, _ := testEngine(t, worker.handle)
	m := compile(t, `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"`+fnARN+`","Parameters":{"id":"t"},"End":true}}}`)
	var xs atomic.Pointer[Execution]
	succeeded := make(chan struct{})
	e.OnStatusChange(func(c StatusChange) {
		switch c.Status {
		case Failed:
			worker.fix()
			_, err := e.Redrive(context.Background(), xs.Load())
			assert.NoError(t, err)
		case Succeeded:
			close(succeeded)
		}
	})
	x, err := e.Start(context.Background(), m, StartInput{Name: "auto"})
	require.NoError(t, err)
	xs.Store(x)
	select {
	case <-succeeded:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's redrive did not finish")
	}
	assert.Equal(t, 1, x.Result().RedriveCount)
}

func TestStopAlwaysWinsOverARunningMap(t *testing.T) {
	// The stop arrives as soon as the first iteration has succeeded, while the Map is
	// between two iterations (MaxConcurrency 1): the case that used to end SUCCEEDED,
	// with nulls for the items never run, about half the time.
	// Iterations of Pass states never look at the stop: only the Map can notice it.
	e, _ := testEngine(t, nil)
	m := compile(t, `{"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`)
	items, _ := json.Marshal(slices.Repeat([]map[string]int{{"a": 1}}, 20000))
	for try := range 10 {
		x, err := e.Start(context.Background(), m, StartInput{Name: "stop", Input: string(items)})
		require.NoError(t, err)
		for {
			changed := x.History.Changed()
			if slices.Contains(eventTypes(x), history.MapIterationSucceeded) {
				break
			}
			<-changed
		}
		x.Stop("Operator", "enough")
		r := x.Result()
		require.Equal(t, Aborted, r.Status, "try %d", try)
		assert.NotContains(t, eventTypes(x), history.MapStateSucceeded)
	}
}

func failureOf(name, cause string) failure.Error { return failure.Error{Name: name, Cause: cause} }
