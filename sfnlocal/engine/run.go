package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// execution is the interpreter's side of an Execution.
type execution struct {
	*Execution
	engine   *Engine
	machine  *Machine
	input    any
	deadline time.Time // on the engine's clock; zero without a machine timeout
	// The context object's parts that never change during the execution, built once.
	executionContext, machineContext *jsonvalue.Object

	mu          sync.Mutex
	invocations map[string]int // per state, for mocked responses
}

// thread is one line of execution: the machine itself, a Parallel branch or a Map
// iteration. Events it appends chain through prev.
type thread struct {
	x       *execution
	log     *history.Log // the execution's history, or a DISTRIBUTED map run's own
	vars    *variables
	prev    int64
	mapItem *jsonvalue.Object // the context object's Map.Item, inside an iteration
	// stoppedAt is where the thread's scope stopped without finishing, for a redrive;
	// fan is the progress of the Parallel or Map state whose attempt just failed.
	stoppedAt *resumePoint
	fan       *fanProgress
}

// stopError ends a thread because the whole execution is ending (stopped, timed out).
type stopError struct {
	status Status
	f      *failure.Error
}

func (e *stopError) Error() string { return string(e.status) }

func (x *execution) run(ctx context.Context, input any) {
	// Releasing the execution's context detaches it from its parent: a server's context
	// would otherwise keep every execution it ever started.
	defer x.cancel(nil)
	x.input = input
	start := x.StartTime
	x.setContext(start, 0, time.Time{})
	text := x.Input // as given, like AWS, rather than re-encoded
	if text == "" {
		text = "{}"
	}
	first := x.History.Append(start, 0, history.Event{Type: history.ExecutionStarted,
		ExecutionStarted: &history.ExecutionStartedDetails{Input: text, InputDetails: history.NotTruncated, RoleArn: x.RoleARN}})
	t := &thread{x: x, log: x.History, vars: newVariables(nil), prev: first}
	from := &resumePoint{state: x.machine.root.startAt, input: input, inputText: text, vars: t.vars}
	output, err := t.runScope(ctx, x.machine.root, from)
	x.conclude(t, output, err)
}

// redrive runs the execution again from where it stopped, after its ExecutionRedriven
// event.
func (x *execution) redrive(ctx context.Context, from *resumePoint, redrivenEvent int64, at time.Time) {
	x.mu.Lock()
	cancel := x.Execution.cancel
	x.mu.Unlock()
	defer cancel(nil)
	x.setContext(at, x.redriveCountNow(), at)
	if from == nil { // never stopped inside a scope: start over
		from = &resumePoint{state: x.machine.root.startAt, input: x.input, vars: newVariables(nil)}
	}
	t := &thread{x: x, log: x.History, vars: from.vars, prev: redrivenEvent}
	output, err := t.runScope(ctx, x.machine.root, from)
	x.conclude(t, output, err)
}

func (x *execution) redriveCountNow() int {
	x.Execution.mu.Lock()
	defer x.Execution.mu.Unlock()
	return x.redriveCount
}

// setContext builds the context object's parts that stay the same during a run, and
// the deadline of the machine's TimeoutSeconds, which counts from the start or the
// latest redrive.
func (x *execution) setContext(from time.Time, redriveCount int, redriveTime time.Time) {
	// In the order AWS prints them.
	x.executionContext = jsonvalue.ObjectOf("Id", x.ARN, "Input", x.input, "StartTime", formatTime(x.StartTime),
		"Name", x.Name, "RoleArn", x.RoleARN, "RedriveCount", float64(redriveCount))
	if !redriveTime.IsZero() {
		x.executionContext.Set("RedriveTime", formatTime(redriveTime))
	}
	x.machineContext = jsonvalue.ObjectOf("Id", x.StateMachineARN, "Name", x.StateMachineName)
	x.deadline = time.Time{}
	if timeout := x.machine.Definition.TimeoutSeconds; timeout > 0 {
		x.deadline = from.Add(time.Duration(timeout) * time.Second)
	}
}

// conclude ends a run with the root thread's outcome.
func (x *execution) conclude(t *thread, output any, err error) {
	now := x.engine.clock.Now()
	var stop *stopError
	switch {
	case err == nil:
		x.finish(now, t.prev, Succeeded, output, nil, nil)
	case errors.As(err, &stop):
		x.finish(now, t.prev, stop.status, nil, stop.f, t.stoppedAt)
	default:
		x.finish(now, t.prev, Failed, nil, failure.As(err), t.stoppedAt)
	}
}

// checkAlive turns the execution's end (a stop, the machine timeout) into a stopError.
func (t *thread) checkAlive(ctx context.Context) error {
	if cause := context.Cause(ctx); cause != nil {
		var stopped *errStopped
		if errors.As(cause, &stopped) {
			return &stopError{status: Aborted, f: &stopped.reason}
		}
		return &stopError{status: Aborted, f: &failure.Error{}}
	}
	if !t.x.deadline.IsZero() && !t.x.engine.clock.Now().Before(t.x.deadline) {
		return &stopError{status: TimedOut, f: &failure.Error{Name: failure.Timeout, Cause: "The execution exceeded its TimeoutSeconds"}}
	}
	return nil
}

// sleep waits on the engine's clock, cut short by the machine's timeout.
func (t *thread) sleep(ctx context.Context, d time.Duration) error {
	if !t.x.deadline.IsZero() {
		if remaining := t.x.deadline.Sub(t.x.engine.clock.Now()); d > remaining {
			d = remaining
		}
	}
	if err := t.x.engine.clock.Sleep(ctx, d); err != nil {
		return t.checkAlive(ctx)
	}
	return t.checkAlive(ctx)
}

func (t *thread) append(e history.Event) int64 {
	return t.appendAt(t.x.engine.clock.Now(), e)
}

// appendAt records an event at a time already read, saving a clock read.
func (t *thread) appendAt(at time.Time, e history.Event) int64 {
	t.prev = t.log.Append(at, t.prev, e)
	return t.prev
}

// runScope runs states from the given point (the scope's StartAt, or where a redrive
// continues) until one ends the scope. When the scope stops without finishing, the
// thread's stoppedAt says where, for a redrive.
func (t *thread) runScope(ctx context.Context, sc *scope, from *resumePoint) (any, error) {
	name, input, inputText, prior := from.state, from.input, from.inputText, from.fan
	for {
		if err := t.checkAlive(ctx); err != nil {
			t.stoppedAt = &resumePoint{state: name, input: input, inputText: inputText, vars: t.vars, fan: prior}
			return nil, err
		}
		st := sc.states[name]
		t.fan = nil
		output, outputText, next, err := t.runState(ctx, st, input, inputText, prior)
		if err != nil {
			fan := t.fan
			if failure.As(err).Name == failure.DataLimitExceeded {
				fan = nil // AWS runs such a state again whole, successful branches included
			}
			t.stoppedAt = &resumePoint{state: name, input: input, inputText: inputText, vars: t.vars, fan: fan}
			return nil, err
		}
		if next == "" {
			return output, nil
		}
		// A state's output is the next one's input: rendered once for both events.
		name, input, inputText, prior = next, output, outputText, nil
	}
}

// stateRun is one run of one state: everything its evaluation can read.
type stateRun struct {
	t           *thread
	st          *state
	rawInput    any
	input       any // after InputPath (JSONPath); the raw input (JSONata)
	enteredID   int64
	enteredTime time.Time
	retryCount  int
	taskToken   string // a callback task's token, for $$.Task.Token
	context     *jsonvalue.Object
	env         jsonpath.Env // for JSONPath evaluations, built once per attempt
	envReady    bool
	// prior is the progress a redriven Parallel or Map state starts from, for its first
	// attempt only.
	prior *fanProgress
}

func (r *stateRun) pathEnv() *jsonpath.Env {
	if !r.envReady {
		ids := r.t.x.engine.ids
		r.env = jsonpath.Env{Context: r.context, Vars: r.t.vars, Random: ids, NewUUID: ids.UUID}
		r.envReady = true
	}
	return &r.env
}

// bindings are the JSONata bindings: $states with input and context, plus extra keys
// (result, errorOutput), and the workflow variables.
func (r *stateRun) bindings(extraKey string, extra any) jsonata.Bindings {
	states := map[string]any{"input": r.rawInput, "context": r.context}
	if extraKey != "" {
		states[extraKey] = extra
	}
	return jsonata.Bindings{States: states, Variables: r.t.vars.All(), Functions: r.t.x.engine.functions}
}

// runState runs one state and returns its output and the next state ("" when it ends
// its scope). Failures that the state does not catch are returned.
func (t *thread) runState(ctx context.Context, st *state, input any, inputText string, prior *fanProgress) (any, string, string, error) {
	if inputText == "" {
		inputText = intrinsic.JSONText(input)
	}
	r := &stateRun{t: t, st: st, rawInput: input, enteredTime: t.x.engine.clock.Now(), prior: prior}
	r.enteredID = t.appendAt(r.enteredTime, history.Event{Type: st.enteredEvent,
		StateEntered: &history.StateEnteredDetails{Name: st.Name, Input: inputText, InputDetails: history.NotTruncated}})
	r.refreshContext()

	output, assigned, next, err := t.runStateBody(ctx, r)
	if err != nil {
		return nil, "", "", t.explain(r, err)
	}
	t.vars.assign(assigned)
	outputText := intrinsic.JSONText(output)
	if len(outputText) > MaxPayloadBytes {
		return nil, "", "", failure.New(failure.DataLimitExceeded,
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	if st.Type != asl.TypeFail {
		exited := &history.StateExitedDetails{Name: st.Name, Output: outputText, OutputDetails: history.NotTruncated}
		if assigned.Len() > 0 {
			exited.AssignedVariables = renderVariables(assigned)
			exited.AssignedVariablesDetails = history.NotTruncated
		}
		t.append(history.Event{Type: st.exitedEvent, StateExited: exited})
	}
	return output, outputText, next, nil
}

// runStateBody runs the state's own work, with Retry and Catch for the states that have
// them, and returns the output, the variables to assign and the next state.
func (t *thread) runStateBody(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, string, error) {
	st := r.st
	switch st.Type {
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap:
	default:
		output, assigned, next, err := t.runSimpleState(ctx, r)
		return output, assigned, next, err
	}
	retries := newRetryCounter(st.Retry)
	for {
		output, assigned, err := t.attempt(ctx, r)
		if err == nil {
			return output, assigned, st.nextState(), nil
		}
		var stop *stopError
		if errors.As(err, &stop) {
			return nil, nil, "", err
		}
		f := failure.As(err)
		if delay, ok := retries.next(f.Name, t.x.engine.jitter); ok {
			if err := t.sleep(ctx, delay); err != nil {
				return nil, nil, "", err
			}
			r.retryCount++
			r.refreshContext()
			continue
		}
		err = t.leaving(r, err)
		for _, c := range st.catchers {
			if matches(c.ErrorEquals, f.Name) {
				output, assigned, err := r.caught(c, t.x.causeOf(r, f))
				return output, assigned, c.Next, err
			}
		}
		return nil, nil, "", err
	}
}

// leaving records that a Map or Parallel failed for good (not to be retried): AWS writes
// the EvaluationFailed of a failed expression first, then MapStateFailed or
// ParallelStateFailed, except for States.Runtime errors, which end the execution at once.
func (t *thread) leaving(r *stateRun, err error) error {
	var failedType string
	switch r.st.Type {
	case asl.TypeMap:
		failedType = history.MapStateFailed
	case asl.TypeParallel:
		failedType = history.ParallelStateFailed
	default:
		return err
	}
	if failure.As(err).Name == failure.Runtime {
		return err
	}
	err = t.explain(r, err)
	t.append(history.Event{Type: failedType})
	return err
}

// attempt runs a Task, Parallel or Map once.
func (t *thread) attempt(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, error) {
	switch r.st.Type {
	case asl.TypeTask:
		return t.runTask(ctx, r)
	case asl.TypeParallel:
		return t.runParallel(ctx, r)
	}
	return t.runMap(ctx, r)
}

func (st *state) nextState() string {
	if st.End {
		return ""
	}
	return st.Next
}

// refreshContext builds the context object for the state's current attempt, when the
// state can read it.
func (r *stateRun) refreshContext() {
	r.envReady = false
	if !r.st.MayReadContext {
		return
	}
	x := r.t.x
	stateContext := jsonvalue.ObjectOf("Name", r.st.Name, "EnteredTime", formatTime(r.enteredTime))
	switch r.st.Type {
	case asl.TypeTask, asl.TypeParallel, asl.TypeMap: // only states that retry have a RetryCount
		stateContext.Set("RetryCount", float64(r.retryCount))
	}
	r.context = jsonvalue.ObjectOf("Execution", x.executionContext, "StateMachine", x.machineContext, "State", stateContext)
	if r.t.mapItem != nil {
		r.context.Set("Map", jsonvalue.ObjectOf("Item", r.t.mapItem))
	}
	if r.taskToken != "" {
		r.context.Set("Task", jsonvalue.ObjectOf("Token", r.taskToken))
	}
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// explain finishes a failure that leaves the state: errors of the state's own
// evaluation get AWS's "An error occurred while executing the state" preamble, and
// JSONata ones an EvaluationFailed event, as AWS records them.
func (t *thread) explain(r *stateRun, err error) error {
	var stop *stopError
	if errors.As(err, &stop) {
		return err
	}
	f := failure.As(err)
	var evaluation *evaluationError
	if errors.As(err, &evaluation) && !evaluation.explained {
		evaluation.explained = true
		f = t.x.causeOf(r, f)
		evaluation.f = f
		if f.Name == failure.QueryEvaluationError {
			t.append(history.Event{Type: history.EvaluationFailed, EvaluationFailed: &history.EvaluationFailedDetails{
				Error: f.Name, Cause: f.Cause, State: r.st.Name}})
		}
		return evaluation
	}
	return err
}

// evaluationError marks a failure raised by evaluating the state's own fields, as
// opposed to one its Task reported.
type evaluationError struct {
	f         *failure.Error
	explained bool // the preamble is in the cause, the EvaluationFailed event written
}

func (e *evaluationError) Error() string { return e.f.Error() }
func (e *evaluationError) Unwrap() error { return e.f }

// evaluating marks err, if any, as an evaluation failure.
func evaluating(err error) error {
	if err == nil {
		return nil
	}
	var already *evaluationError
	if errors.As(err, &already) {
		return err
	}
	return &evaluationError{f: failure.As(err)}
}

// causeOf adds AWS's preamble to the cause of an evaluation failure.
func (x *execution) causeOf(r *stateRun, f *failure.Error) *failure.Error {
	switch f.Name {
	case failure.Runtime, failure.QueryEvaluationError:
		return &failure.Error{Name: f.Name, Cause: fmt.Sprintf(
			"An error occurred while executing the state '%s' (entered at the event id #%d). %s", r.st.Name, r.enteredID, f.Cause)}
	}
	return f
}

// renderVariables is the assignedVariables of a history event: each value as JSON text,
// in the order Assign gave them.
func renderVariables(assigned *jsonvalue.Object) *jsonvalue.Object {
	out := jsonvalue.NewObject(assigned.Len())
	for _, m := range assigned.Members() {
		out.Set(m.Key, intrinsic.JSONText(m.Value))
	}
	return out
}
