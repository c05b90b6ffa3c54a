package engine

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

var epoch = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:worker"

type flaky struct{}

func (f *flaky) Error() string { return "flaky" }

// testEngine runs machines on a virtual clock with one function, "worker", whose
// behaviour the test sets.
func testEngine(t *testing.T, worker any) (*Engine, *clock.Virtual) {
	t.Helper()
	functions := task.NewFunctions(task.Env{})
	if worker != nil {
		functions.RegisterFunction(fnARN, worker)
	}
	registry := task.NewRegistry()
	registry.UseFunctions(functions)
	v := clock.NewVirtual(epoch)
	return New(Options{Clock: v, Tasks: registry, Seed: 1}), v
}

func run(t *testing.T, e *Engine, definition, input string) *Execution {
	t.Helper()
	m, err := Compile([]byte(definition))
	require.NoError(t, err)
	x, err := e.Run(context.Background(), m, StartInput{StateMachineName: "m", Name: "x", Input: input})
	require.NoError(t, err)
	return x
}

func eventTypes(x *Execution) []string {
	var types []string
	for _, e := range x.History.Events() {
		types = append(types, e.Type)
	}
	return types
}

func TestStatesAndDataFlow(t *testing.T) {
	tests := []struct {
		name       string
		definition string
		input      string
		status     Status
		output     string
		errName    string
	}{
		{"pass with result path", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"b":2},"ResultPath":"$.r","End":true}}}`,
			`{"a":1}`, Succeeded, `{"a":1,"r":{"b":2}}`, ""},
		{"input and output paths", `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.in","OutputPath":"$.x","End":true}}}`,
			`{"in":{"x":7}}`, Succeeded, `7`, ""},
		{"parameters with context", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"$$.State.Name","v.$":"$.v"},"End":true}}}`,
			`{"v":true}`, Succeeded, `{"n":"P","v":true}`, ""},
		{"choice and default", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":5,"Next":"Big"}],"Default":"Small"},
			"Big":{"Type":"Pass","Result":"big","End":true},"Small":{"Type":"Pass","Result":"small","End":true}}}`, `{"n":3}`, Succeeded, `"small"`, ""},
		{"no choice matched", `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","IsNull":true,"Next":"E"}]},"E":{"Type":"Succeed"}}}`,
			`{"n":3}`, Failed, "", "States.NoChoiceMatched"},
		{"fail with error and cause", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Nope","Cause":"because"}}}`, `{}`, Failed, "", "Nope"},
		{"jsonata output and variables", `{"QueryLanguage":"JSONata","StartAt":"A","States":{
			"A":{"Type":"Pass","Assign":{"x":"{% $states.input.v * 2 %}"},"Next":"B"},
			"B":{"Type":"Pass","Output":"{% {'doubled': $x} %}","End":true}}}`, `{"v":21}`, Succeeded, `{"doubled":42}`, ""},
		{"jsonata undefined fails", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $nothing %}","End":true}}}`,
			`{}`, Failed, "", "States.QueryEvaluationError"},
		{"wait then continue", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{"k":1}`, Succeeded, `{"k":1}`, ""},
		{"parallel branches", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}]}}}`, `{}`, Succeeded, `[1,2]`, ""},
		{"map with item selector", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.xs","MaxConcurrency":1,
			"ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value"},
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`,
			`{"xs":["a","b"]}`, Succeeded, `[{"i":0,"v":"a"},{"i":1,"v":"b"}]`, ""},
		{"map tolerates failures", `{"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,
			"ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericEquals":2,"Next":"F"}],"Default":"OK"},
			"F":{"Type":"Fail","Error":"Two"},"OK":{"Type":"Succeed"}}},"End":true}}}`, `[1,2,3]`, Succeeded, `[1,{"Cause":"","Error":"Two"},3]`, ""},
		{"runaway recursion fails the state, not the process", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass",
			"Output":"{% ($f := function($n){ 1 + $f($n) }; $f(1)) %}","End":true}}}`, `{}`, Failed, "", "States.QueryEvaluationError"},
		{"output over the payload limit", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{% $join($map([1..300000], function($v){'x'})) %}","End":true}}}`,
			`{}`, Failed, "", "States.DataLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := testEngine(t, nil)
			r := run(t, e, tt.definition, tt.input).Result()
			assert.Equal(t, tt.status, r.Status, "%s: %s", r.Error, r.Cause)
			if tt.output != "" {
				assert.JSONEq(t, tt.output, r.Output)
			}
			assert.Equal(t, tt.errName, r.Error)
		})
	}
}

func TestRetryThenSucceed(t *testing.T) {
	var calls atomic.Int32
	worker := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		if calls.Add(1) <= 2 {
			return nil, &flaky{}
		}
		return map[string]any{"ok": true}, nil
	}
	e, v := testEngine(t, worker)
	x := run(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+fnARN+`",
		"Retry":[{"ErrorEquals":["flaky"],"IntervalSeconds":10,"BackoffRate":3,"MaxAttempts":2}],"End":true}}}`, `{}`)
	r := x.Result()
	require.Equal(t, Succeeded, r.Status, r.Cause)
	assert.JSONEq(t, `{"ok":true}`, r.Output)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, epoch.Add(40*time.Second), v.Now(), "backoff 10 s then 30 s, on the virtual clock")
	assert.Equal(t, 3, strings.Count(strings.Join(eventTypes(x), " "), "LambdaFunctionScheduled"))
}

func TestRetriesExhaustedThenCaught(t *testing.T) {
	worker := func(ctx context.Context, in map[string]any) (map[string]any, error) { return nil, &flaky{} }
	e, _ := testEngine(t, worker)
	x := run(t, e, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"`+fnARN+`","Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":1}],
			"Catch":[{"ErrorEquals":["Other"],"Next":"Wrong"},{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.err","Next":"Handled"}],"End":true},
		"Wrong":{"Type":"Fail"},"Handled":{"Type":"Pass","End":true}}}`, `{"keep":1}`)
	r := x.Result()
	require.Equal(t, Succeeded, r.Status, r.Cause)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Output), &out))
	assert.Equal(t, 1.0, out["keep"])
	assert.Equal(t, "flaky", out["err"].(map[string]any)["Error"])
	assert.JSONEq(t, `{"errorMessage":"flaky","errorType":"flaky"}`, out["err"].(map[string]any)["Cause"].(string))
}

func TestTaskTimeout(t *testing.T) {
	worker := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	e, _ := testEngine(t, worker)
	x := run(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+fnARN+`","TimeoutSeconds":1,"End":true}}}`, `{}`)
	r := x.Result()
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, failure.Timeout, r.Error)
	assert.Contains(t, eventTypes(x), "LambdaFunctionTimedOut")
}

func TestMachineTimeoutOnTheVirtualClock(t *testing.T) {
	e, _ := testEngine(t, nil)
	r := run(t, e, `{"TimeoutSeconds":60,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{}`).Result()
	assert.Equal(t, TimedOut, r.Status)
	assert.Equal(t, failure.Timeout, r.Error)
}

func TestStopAbortsARunningExecution(t *testing.T) {
	started := make(chan struct{})
	worker := func(ctx context.Context, in map[string]any) (map[string]any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	e, _ := testEngine(t, worker)
	m, err := Compile([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + fnARN + `","End":true}}}`))
	require.NoError(t, err)
	x, err := e.Start(context.Background(), m, StartInput{Name: "x"})
	require.NoError(t, err)
	<-started
	x.Stop("Operator", "changed my mind")
	r := x.Result()
	assert.Equal(t, Aborted, r.Status)
	assert.Equal(t, "Operator", r.Error)
	assert.Equal(t, "ExecutionAborted", eventTypes(x)[len(eventTypes(x))-1])
}

func TestInvalidInputAndDefinition(t *testing.T) {
	e, _ := testEngine(t, nil)
	m, err := Compile([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	require.NoError(t, err)
	_, err = e.Start(context.Background(), m, StartInput{Input: `{"a":`})
	var invalid *InvalidInputError
	assert.True(t, errors.As(err, &invalid))
	_, err = e.Start(context.Background(), m, StartInput{Input: `"` + strings.Repeat("x", MaxPayloadBytes) + `"`})
	assert.True(t, errors.As(err, &invalid))

	_, err = Compile([]byte(`{"StartAt":"Nowhere","States":{"P":{"Type":"Pass","End":true}}}`))
	assert.ErrorContains(t, err, "Nowhere")
}

func TestHistoryChainsEvents(t *testing.T) {
	e, _ := testEngine(t, nil)
	x := run(t, e, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}}}`, `{}`)
	events := x.History.Events()
	assert.Equal(t, []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}, eventTypes(x))
	for i, ev := range events {
		assert.Equal(t, int64(i+1), ev.ID)
		assert.Equal(t, int64(i), ev.PreviousEventID)
	}
}

// TestDocumentOrder: AWS keeps an object's members in the order written, in outputs,
// payload templates, States.JsonToString, JSONata templates and the history.
func TestDocumentOrder(t *testing.T) {
	const example = `{"zeta":1,"alpha":{"y":1,"b":2},"mid":3}`
	tests := []struct {
		name, definition, input, output string
	}{
		{"Pass Result", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":` + example + `,"End":true}}}`, `{}`, example},
		{"input passed through", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, example, example},
		{"Parameters template", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"z.$":"$.mid","a":{"y":1,"b":2},"m.$":"$.alpha"},"End":true}}}`,
			example, `{"z":3,"a":{"y":1,"b":2},"m":{"y":1,"b":2}}`},
		{"ResultPath adds at the end", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":0,"ResultPath":"$.added","End":true}}}`,
			example, `{"zeta":1,"alpha":{"y":1,"b":2},"mid":3,"added":0}`},
		{"States.JsonToString", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}}}`,
			example, `{"s":"{\"zeta\":1,\"alpha\":{\"y\":1,\"b\":2},\"mid\":3}"}`},
		{"JSONata template", `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{"z":"{% $states.input.mid %}","a":"{% $states.input.alpha %}"},"End":true}}}`,
			example, `{"z":3,"a":{"y":1,"b":2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := testEngine(t, nil)
			x := run(t, e, tt.definition, tt.input)
			r := x.Result()
			require.Equal(t, Succeeded, r.Status, r.Cause)
			assert.Equal(t, tt.output, r.Output, "byte for byte")
			events := x.History.Events()
			exited := events[len(events)-2]
			assert.Equal(t, tt.output, exited.StateExited.Output, "the history's payloads keep the order too")
		})
	}
}

// TestARunawayLoopFailsAtTheHistoryLimit: AWS fails an execution whose history reaches
// 25,000 events; an endless Choice-Pass loop must end there, in little memory.
func TestARunawayLoopFailsAtTheHistoryLimit(t *testing.T) {
	e, _ := testEngine(t, nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := run(t, e, `{"StartAt":"Count","States":{
		"Count":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)","pad.$":"$.pad"},"Next":"Again"},
		"Again":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":0,"Next":"Never"}],"Default":"Count"},
		"Never":{"Type":"Succeed"}}}`, `{"n":0,"pad":"`+strings.Repeat("x", 10_000)+`"}`)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	assert.Less(t, after.HeapAlloc, before.HeapAlloc+50<<20, "25,000 events of a 10 KB payload, shared rather than copied")
	r := x.Result()
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, failure.Runtime, r.Error)
	assert.Contains(t, r.Cause, "maximum number of events")
	require.Equal(t, history.MaxEvents, x.History.Len())
	last := x.History.Between(history.MaxEvents, history.MaxEvents)
	assert.Equal(t, history.ExecutionFailed, last[0].Type)
	status, reason := x.RedriveStatus()
	assert.Equal(t, NotRedrivable, status)
	assert.Equal(t, ReasonEventLimit, reason)
}

func TestTaskArgumentsOverThePayloadLimit(t *testing.T) {
	e, _ := testEngine(t, func(context.Context, map[string]any) (map[string]any, error) { return nil, nil })
	r := run(t, e, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+fnARN+`","Parameters":{"a.$":"$.big","b.$":"$.big"},"End":true}}}`,
		`{"big":"`+strings.Repeat("x", MaxPayloadBytes/2)+`"}`).Result()
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, failure.DataLimitExceeded, r.Error)
}
