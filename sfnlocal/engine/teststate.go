package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// TestState runs one state once, as AWS's TestState API does: the state alone, or one
// state of a whole machine (StateName), with an input, variables and a context object
// of the caller's, its Task's (or Map's, or Parallel's) result or error mocked, and
// what each step of its data flow made of the input reported by inspection level.

// TestStateInput is a TestState request.
type TestStateInput struct {
	Definition      []byte // one state, or a machine with StateName
	StateName       string
	Input           string // JSON; {} when empty
	InspectionLevel string // INFO (default), DEBUG or TRACE
	Variables       string // a JSON object of workflow variables, or ""
	Context         string // a JSON object overriding the context object, or ""
	RoleARN         string
	Mock            *TestMock
	// The state configuration: how many retries already happened, which state inside a
	// Map or Parallel the mocked error came from, how many Map iterations fail.
	RetrierRetryCount        *int
	ErrorCausedByState       string
	MapIterationFailureCount *int
	MapItemReaderData        string
}

// TestMock is a mocked result (JSON text) or error.
type TestMock struct {
	Result      *string
	ErrorOutput *failure.Error
	// FieldValidationMode is STRICT (the default), PRESENT or NONE: how a Task's mocked
	// result is checked against the integration's response shape (task.OutputShape).
	FieldValidationMode string
}

// TestStateResult is TestState's answer.
type TestStateResult struct {
	Status     string // SUCCEEDED, FAILED, RETRIABLE, CAUGHT_ERROR
	Output     any
	HasOutput  bool
	Error      string
	Cause      string
	NextState  string
	Inspection *jsonvalue.Object // nil at INFO
}

// TestStateError is a request TestState refuses: Code is ValidationException or
// InvalidDefinition, Message AWS's.
type TestStateError struct{ Code, Message string }

func (e *TestStateError) Error() string { return e.Code + ": " + e.Message }

func refuse(code, format string, args ...any) error {
	return &TestStateError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// inspection collects what the data flow made of the input, for DEBUG and TRACE.
type inspection struct{ data *jsonvalue.Object }

func (in *inspection) set(field string, v any) {
	if in != nil {
		in.data.Set(field, v)
	}
}

// setText records v's JSON text; a nil inspection (every execution's) renders nothing.
func (in *inspection) setText(field string, v any) {
	if in != nil {
		in.data.Set(field, jsonvalue.Text(v))
	}
}

// testStateName is the name a lone state runs under, and the state's name in the
// context object of any TestState, as AWS names it.
const testStateName = "StateName"

// TestState runs the state as described above.
func (e *Engine) TestState(ctx context.Context, in TestStateInput) (TestStateResult, error) {
	st, err := compileTestState(in.Definition, in.StateName)
	if err != nil {
		return TestStateResult{}, err
	}
	if err := checkTestMock(st, in); err != nil {
		return TestStateResult{}, err
	}
	input, err := parseJSONField(in.Input, "{}", "Invalid input provided")
	if err != nil {
		return TestStateResult{}, err
	}
	now := e.clock.Now()
	// AWS runs a TestState as an Express execution of a machine of its own.
	name := e.ids.UUID()
	prefix := "arn:aws:states:" + e.region + ":" + e.account + ":"
	x := &Execution{StartInput: StartInput{Name: name, ARN: prefix + "express:TestStateMachine:" + name + ":" + e.ids.UUID(),
		StateMachineName: "TestStateMachine", StateMachineARN: prefix + "stateMachine:TestStateMachine",
		RoleARN: in.RoleARN, Input: in.Input}, StartTime: now, History: history.NewLog(), engine: e, status: Running}
	x.run = &execution{Execution: x, engine: e, machine: &Machine{states: st.index + 1}, input: input}
	var role any // null when the request names none
	if in.RoleARN != "" {
		role = in.RoleARN
	}
	// An Express execution's context: no RedriveCount.
	x.run.executionContext = jsonvalue.ObjectOf("Id", x.ARN, "Input", input, "StartTime", formatTime(now), "Name", name, "RoleArn", role)
	x.run.machineContext = jsonvalue.ObjectOf("Id", x.StateMachineARN, "Name", x.StateMachineName)
	t := &thread{x: x.run, log: x.History, vars: newVariables(nil)}
	if in.Variables != "" {
		vars, err := parseJSONField(in.Variables, "{}", "Invalid variables provided")
		if err != nil {
			return TestStateResult{}, err
		}
		object, ok := vars.(*jsonvalue.Object)
		if !ok {
			return TestStateResult{}, refuse("ValidationException", "Invalid variables provided: it must be a JSON object")
		}
		t.vars.assign(object)
	}
	r := &stateRun{t: t, st: st, rawInput: input, enteredTime: now}
	r.refreshContext()
	if state, ok := r.context.Get("State"); ok {
		state.(*jsonvalue.Object).Set("Name", testStateName) // built for this run alone
	}
	if in.Context != "" {
		context, err := testContext(in.Context)
		if err != nil {
			return TestStateResult{}, err
		}
		r.context = context
	}
	r.envReady = false
	var insp *inspection
	if in.InspectionLevel == "DEBUG" || in.InspectionLevel == "TRACE" {
		insp = &inspection{data: jsonvalue.NewObject(8)}
		insp.setText("input", input)
		if given := variablesObject(t.vars); given.Len() > 0 {
			insp.setText("variables", given)
		}
	}
	r.inspect = insp
	res, err := t.testRun(ctx, r, in)
	if err != nil {
		return TestStateResult{}, err
	}
	if insp != nil && insp.data.Len() > 0 {
		res.Inspection = insp.data
	}
	return res, nil
}

// compileTestState compiles the state a TestState request names. A lone state runs
// as the only state of a machine; its Next need not exist.
func compileTestState(definition []byte, stateName string) (*state, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(definition, &probe); err != nil {
		return nil, refuse("InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: the definition is not a JSON object'")
	}
	if _, isMachine := probe["States"]; !isMachine {
		name := testStateName
		for i := 0; strings.Contains(string(definition), `"`+name+`"`); i++ {
			name = fmt.Sprintf("%s-%d", testStateName, i) // the state's own scopes use the name
		}
		states := map[string]json.RawMessage{name: definition}
		for _, target := range transitionTargets(probe) {
			if target != name {
				states[target] = json.RawMessage(`{"Type":"Succeed"}`) // stands for a state elsewhere
			}
		}
		machine, _ := json.Marshal(map[string]any{"StartAt": name, "States": states})
		m, err := Compile(machine)
		if err != nil {
			return nil, refuse("InvalidDefinition", "%s", err.Error())
		}
		return m.root.states[name], nil
	}
	m, err := Compile(definition)
	if err != nil {
		return nil, refuse("InvalidDefinition", "%s", err.Error())
	}
	if stateName == "" {
		stateName = m.Definition.StartAt
	}
	if st := findState(m.root, stateName); st != nil {
		return st, nil
	}
	return nil, refuse("ValidationException", "State not found in definition")
}

// transitionTargets are the states a lone state can go to: Next, Default, and the Next
// of its Choice rules and catchers.
func transitionTargets(state map[string]json.RawMessage) []string {
	var targets []string
	add := func(raw json.RawMessage) {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			targets = append(targets, s)
		}
	}
	add(state["Next"])
	add(state["Default"])
	for _, field := range []string{"Choices", "Catch"} {
		var list []map[string]json.RawMessage
		_ = json.Unmarshal(state[field], &list)
		for _, item := range list {
			add(item["Next"])
		}
	}
	return targets
}

func findState(sc *scope, name string) *state {
	if st, ok := sc.states[name]; ok {
		return st
	}
	for _, st := range sc.states {
		for _, b := range st.branches {
			if found := findState(b, name); found != nil {
				return found
			}
		}
		if st.processor != nil {
			if found := findState(st.processor, name); found != nil {
				return found
			}
		}
	}
	return nil
}

// checkTestMock applies AWS's rules on what may be mocked.
func checkTestMock(st *state, in TestStateInput) error {
	m := in.Mock
	if m != nil && m.Result != nil && m.ErrorOutput != nil {
		return refuse("ValidationException", "A test mock should have only one of the following fields: [result, errorOutput].")
	}
	switch st.Type {
	case asl.TypeMap, asl.TypeParallel:
		if m == nil {
			if in.MapIterationFailureCount != nil {
				return refuse("ValidationException", "TestState does not support MapIterationFailureCount when a mock is not specified.")
			}
			return refuse("InvalidDefinition", "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
		}
	case asl.TypeTask:
	default:
		if m != nil {
			return refuse("ValidationException", "State type '%s' is not supported when a mock is specified", st.Type)
		}
	}
	if m != nil && m.Result != nil && !jsonvalue.Valid([]byte(*m.Result)) {
		return refuse("ValidationException", "Mocked result must be valid JSON")
	}
	if m != nil && m.Result != nil && st.Type == asl.TypeTask && m.FieldValidationMode != "NONE" {
		if shape := task.OutputShape(st.Resource); shape != nil {
			v, _ := jsonvalue.ParseString(*m.Result)
			if err := shape.Validate(v, m.FieldValidationMode != "PRESENT"); err != nil {
				return refuse("ValidationException", "Mock result schema validation error: %s", err)
			}
		}
	}
	return nil
}

func parseJSONField(text, empty, invalid string) (any, error) {
	if text == "" {
		text = empty
	}
	v, err := jsonvalue.ParseString(text)
	if err != nil {
		return nil, refuse("ValidationException", "%s: %v", invalid, err)
	}
	return v, nil
}

// testContext checks a caller's context object the way AWS does: only Execution,
// State and StateMachine with their known fields, as strings where AWS has strings.
func testContext(text string) (*jsonvalue.Object, error) {
	v, err := parseJSONField(text, "{}", "Invalid Context object provided")
	if err != nil {
		return nil, err
	}
	object, ok := v.(*jsonvalue.Object)
	if !ok {
		return nil, refuse("ValidationException", "Invalid Context object provided: it must be a JSON object")
	}
	allowed := map[string][]string{
		"Execution":    {"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"},
		"State":        {"EnteredTime", "Name", "RetryCount"},
		"StateMachine": {"Id", "Name"},
		"Task":         {"Token"},
	}
	for _, part := range object.Members() {
		if part.Key == "Map" {
			return nil, refuse("ValidationException", "Invalid Context object provided: 'Map' field is not supported when mocking a Context object")
		}
		fields, known := allowed[part.Key]
		if !known {
			return nil, refuse("ValidationException", "Invalid Context object provided: Field '%s' is not allowed", part.Key)
		}
		inner, _ := part.Value.(*jsonvalue.Object)
		for _, f := range inner.Members() {
			if !slices.Contains(fields, f.Key) {
				return nil, refuse("ValidationException", "Invalid Context object provided: Field '%s' is not allowed", f.Key)
			}
			if _, isString := f.Value.(string); !isString && f.Key != "Input" && f.Key != "RedriveCount" && f.Key != "RetryCount" {
				return nil, refuse("ValidationException", "Invalid Context object provided: %s.%s must be a string", part.Key, f.Key)
			}
		}
	}
	return object, nil
}

// testRun runs the state once and words the outcome; a request it refuses is an error.
func (t *thread) testRun(ctx context.Context, r *stateRun, in TestStateInput) (TestStateResult, error) {
	st := r.st
	var output any
	var assigned *jsonvalue.Object
	var next string
	var err error
	switch st.Type {
	case asl.TypeTask, asl.TypeMap, asl.TypeParallel:
		output, assigned, err = t.testAttempt(ctx, r, in)
		next = st.nextState()
	case asl.TypeWait: // TestState does not wait
		if err = r.applyInputPath(); err == nil {
			output, assigned, err = r.passThrough(st.output, st.assign, st.pathAssign)
			next = st.nextState()
		}
	default:
		output, assigned, next, err = t.runSimpleState(ctx, r)
	}
	if err == nil {
		if assigned.Len() > 0 {
			t.vars.assign(assigned)
			r.inspect.setText("variables", variablesObject(t.vars))
		}
		return TestStateResult{Status: "SUCCEEDED", Output: output, HasOutput: true, NextState: next}, nil
	}
	var refused *TestStateError
	if errors.As(err, &refused) {
		return TestStateResult{}, err
	}
	f := failure.As(err) // TestState's causes carry no "An error occurred while executing" preamble
	if st.Type == asl.TypeTask || st.Type == asl.TypeMap || st.Type == asl.TypeParallel {
		// One attempt: a retrier that would fire makes the state RETRIABLE.
		retries := retryCounter{retriers: st.Retry, counts: make([]int64, len(st.Retry))}
		for i, retrier := range st.Retry {
			if matches(retrier.ErrorEquals, f.Name) {
				count := 0
				if in.RetrierRetryCount != nil {
					count = *in.RetrierRetryCount
				}
				if int64(count) < retrier.MaxAttempts {
					retries.counts[i] = int64(count)
					delay := backoff(retrier, int64(count))
					r.inspect.set("errorDetails", jsonvalue.ObjectOf("retryBackoffIntervalSeconds", math.Round(delay.Seconds()), "retryIndex", float64(i)))
					return TestStateResult{Status: "RETRIABLE", Error: f.Name, Cause: f.Cause}, nil
				}
				r.inspect.set("errorDetails", jsonvalue.ObjectOf("retryIndex", float64(i))) // exhausted
				break
			}
		}
		for i, c := range st.catchers {
			if matches(c.ErrorEquals, f.Name) {
				out, assignedByCatch, err := r.caught(c, f)
				if err != nil {
					f = failure.As(err)
					break
				}
				if assignedByCatch.Len() > 0 {
					t.vars.assign(assignedByCatch)
				}
				r.inspect.set("errorDetails", jsonvalue.ObjectOf("catchIndex", float64(i)))
				return TestStateResult{Status: "CAUGHT_ERROR", Output: out, HasOutput: true, Error: f.Name, Cause: f.Cause, NextState: c.Next}, nil
			}
		}
	}
	return TestStateResult{Status: "FAILED", Error: f.Name, Cause: f.Cause}, nil
}

func variablesObject(v *variables) *jsonvalue.Object {
	all := v.All()
	return jsonvalue.FromGo(all).(*jsonvalue.Object)
}

// testAttempt is one attempt of a Task, Map or Parallel: its input steps, then the
// mocked (or, for a Task without a mock, real) result, then its output steps.
func (t *thread) testAttempt(ctx context.Context, r *stateRun, in TestStateInput) (any, *jsonvalue.Object, error) {
	st := r.st
	inspect := r.inspect
	if st.Type == asl.TypeParallel {
		r.inspect = nil // TestState shows a Parallel state's input and result steps only
	}
	if err := r.applyInputPath(); err != nil {
		return nil, nil, err
	}
	var result any
	switch st.Type {
	case asl.TypeTask:
		args, err := r.payload()
		if err != nil {
			return nil, nil, err
		}
		if in.Mock == nil {
			result, err = t.testInvoke(ctx, r, args)
		} else {
			result, err = mockedResult(in.Mock)
		}
		if err != nil {
			return nil, nil, err
		}
	case asl.TypeParallel:
		if _, err := r.payload(); err != nil {
			return nil, nil, err
		}
		mocked, err := mockedResult(in.Mock)
		if err != nil {
			return nil, nil, err
		}
		items, isArray := mocked.([]any)
		if !isArray {
			return nil, nil, refuse("ValidationException", "Mocked result must be an array.")
		}
		if len(items) != len(st.branches) {
			return nil, nil, refuse("ValidationException", "Mocked result must contain the same number of items as number of Parallel branches.")
		}
		result = mocked
		r.inspect = inspect
	case asl.TypeMap:
		var err error
		if result, err = t.testMap(r, in); err != nil {
			return nil, nil, err
		}
	}
	if st.Type == asl.TypeTask {
		r.inspect.setText("result", result)
	}
	output, assigned, err := r.finish(result)
	if err != nil {
		return nil, nil, err
	}
	return output, assigned, nil
}

// testInvoke calls a Task's integration for real, once.
func (t *thread) testInvoke(ctx context.Context, r *stateRun, args any) (any, error) {
	tasks := t.x.engine.tasks
	if tasks == nil {
		return nil, failure.New(failure.Runtime, "no task integrations are configured")
	}
	timeout, err := r.st.timeout.taskSeconds(r)
	if err != nil {
		return nil, evaluating(err)
	}
	return tasks.Invoke(ctx, task.Request{Resource: r.st.Resource, Arguments: args, Timeout: time.Duration(timeout) * time.Second,
		Caller: task.Caller{ExecutionName: "TestState", StateName: r.st.Name}})
}

// mockedResult is the mock's result, or its error.
func mockedResult(m *TestMock) (any, error) {
	if m.ErrorOutput != nil {
		return nil, &failure.Error{Name: m.ErrorOutput.Name, Cause: m.ErrorOutput.Cause}
	}
	if m.Result == nil {
		return nil, refuse("ValidationException", "A test mock should have one of the following fields: [result, errorOutput].")
	}
	v, err := jsonvalue.ParseString(*m.Result)
	if err != nil {
		return nil, refuse("ValidationException", "Mocked result must be valid JSON")
	}
	return v, nil
}

// testMap evaluates a Map's items and settings and returns its mocked result, failing
// as many iterations as the configuration says.
func (t *thread) testMap(r *stateRun, in TestStateInput) (any, error) {
	st := r.st
	if st.ResultWriter != nil && in.Mock.Result != nil {
		mocked, err := mockedResult(in.Mock)
		if err != nil {
			return nil, err
		}
		if _, isObject := mocked.(*jsonvalue.Object); !isObject {
			return nil, refuse("ValidationException", "Mocked result must be a JSON object.")
		}
	}
	var items []any
	if in.MapItemReaderData != "" {
		data, err := parseJSONField(in.MapItemReaderData, "[]", "Invalid map item reader data")
		if err != nil {
			return nil, err
		}
		items, _ = data.([]any)
	} else if st.ItemReader == nil {
		var err error
		if items, err = r.evaluateItems(); err != nil {
			if !st.jsonata && failure.As(err).Name == failure.Runtime {
				path := st.ItemsPath
				if path == "" {
					path = "$"
				}
				path = strings.Replace(path, "$$", "$", 1) // AWS names a context path from its "$"
				return nil, failure.New(failure.Runtime, "Reference path \"%s\" must point to array.", path)
			}
			return nil, err
		}
		if !st.jsonata {
			r.inspect.setText("afterItemsPath", items)
		}
	}
	limit, _, err := st.maxConcurrency.mapCount(r)
	if err != nil {
		return nil, evaluating(err)
	}
	r.inspect.set("maxConcurrency", float64(limit))
	count, hasCount, err := st.toleratedCount.mapCount(r)
	if err != nil {
		return nil, evaluating(err)
	}
	if hasCount {
		r.inspect.set("toleratedFailureCount", float64(count))
	}
	percent, hasPercent, err := st.toleratedPercent.percentage(r)
	if err != nil {
		return nil, evaluating(err)
	}
	if hasPercent {
		r.inspect.set("toleratedFailurePercentage", percent)
	}
	mocked, err := mockedResult(in.Mock) // a mocked error comes once the settings are known
	if err != nil {
		return nil, err
	}

	if in.MapIterationFailureCount != nil {
		failed := *in.MapIterationFailureCount
		if items != nil && failed > len(items) {
			return nil, refuse("ValidationException", "Map iteration failure count must be less than or equal to the number of Map iterations")
		}
		tolerated, err := r.toleratedFailures(len(items))
		if err != nil {
			return nil, err
		}
		// The mocked result stands, unless the state bounds its failures and they pass it.
		if (hasCount || hasPercent) && failed > tolerated {
			return nil, failure.New(failure.ExceedToleratedFailure, "The specified tolerated failure threshold was exceeded")
		}
	}
	return mocked, nil
}
