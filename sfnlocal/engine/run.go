package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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
	// The context object's parts that never change during a run, built by the first
	// state that reads the context (most states of most machines never do), under mu.
	executionContext, machineContext *jsonvalue.Object
	contextRedriveCount              int
	contextRedriveTime               time.Time

	mu sync.Mutex
	// invocations count each state's Task invocations (by index), for mocked responses:
	// in place for small machines, made at the first for larger ones.
	smallInvocations [16]atomic.Int32
	invocations      atomic.Pointer[[]atomic.Int32]
}

// thread is one line of execution: the machine itself, a Parallel branch or a Map
// iteration. Events it appends chain through prev.
type thread struct {
	x    *execution
	log  *history.Log // the execution's history, or a DISTRIBUTED map run's own
	vars *variables
	prev int64
	// exitedAt is when the state just run left, zero when none did: the next state
	// enters at that time.
	exitedAt time.Time
	mapItem  *jsonvalue.Object // the context object's Map.Item, inside an iteration
	// stoppedAt is where the thread's scope stopped without finishing, for a redrive;
	// fan is the progress of the Parallel or Map state whose attempt just failed.
	stoppedAt *resumePoint
	fan       *fanProgress
	// spare is a stateRun to reuse for the thread's next state.
	spare *stateRun
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
	// What the run starts with, in one allocation: all of it lives as long as the run.
	parts := &struct {
		started history.ExecutionStartedDetails
		thread  thread
		vars    variables
		from    resumePoint
	}{started: history.ExecutionStartedDetails{Input: text, InputDetails: history.NotTruncated, RoleArn: x.RoleARN}}
	first := x.History.Append(start, 0, &history.Event{Type: history.ExecutionStarted, ExecutionStarted: &parts.started})
	t := &parts.thread
	*t = thread{x: x, log: x.History, vars: &parts.vars, prev: first}
	from := &parts.from
	*from = resumePoint{state: x.machine.root.startAt, input: input, inputText: text, vars: t.vars}
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

// setContext resets the context object's parts that stay the same during a run, and
// sets the deadline of the machine's TimeoutSeconds, which counts from the start or
// the latest redrive.
func (x *execution) setContext(from time.Time, redriveCount int, redriveTime time.Time) {
	x.mu.Lock()
	x.executionContext, x.machineContext = nil, nil
	x.contextRedriveCount, x.contextRedriveTime = redriveCount, redriveTime
	x.mu.Unlock()
	x.deadline = time.Time{}
	if timeout := x.machine.Definition.TimeoutSeconds; timeout > 0 {
		x.deadline = from.Add(time.Duration(timeout) * time.Second)
	}
}

// contextParts are the context object's Execution and StateMachine, built on first use.
func (x *execution) contextParts() (*jsonvalue.Object, *jsonvalue.Object) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.executionContext == nil {
		// In the order AWS prints them.
		x.executionContext = jsonvalue.ObjectOf("Id", x.ARN, "Input", x.input, "StartTime", formatTime(x.StartTime),
			"Name", x.Name, "RoleArn", x.RoleARN, "RedriveCount", float64(x.contextRedriveCount))
		if !x.contextRedriveTime.IsZero() {
			x.executionContext.Set("RedriveTime", formatTime(x.contextRedriveTime))
		}
		x.machineContext = jsonvalue.ObjectOf("Id", x.StateMachineARN, "Name", x.StateMachineName)
	}
	return x.executionContext, x.machineContext
}

// conclude ends a run with the root thread's outcome.
func (x *execution) conclude(t *thread, output any, err error) {
	now := t.exitedAt // the last state just left, when it did
	if now.IsZero() || err != nil {
		now = x.engine.clock.Now()
	}
	stop, stopped := as[*stopError](err)
	switch {
	case err == nil:
		x.finish(now, t.prev, Succeeded, output, nil, nil)
	case stopped:
		x.finish(now, t.prev, stop.status, nil, stop.f, t.stoppedAt)
	default:
		x.finish(now, t.prev, Failed, nil, failure.As(err), t.stoppedAt)
	}
}

// checkAlive turns the execution's end (a stop, the machine timeout) into a stopError.
func (t *thread) checkAlive(ctx context.Context) error {
	return t.checkAliveAt(ctx, time.Time{})
}

// checkAliveAt is checkAlive with the clock already read (zero: read it if needed).
func (t *thread) checkAliveAt(ctx context.Context, now time.Time) error {
	if cause := context.Cause(ctx); cause != nil {
		if stopped, ok := as[*errStopped](cause); ok {
			return &stopError{status: Aborted, f: &stopped.reason}
		}
		return &stopError{status: Aborted, f: &failure.Error{}}
	}
	if t.x.History.Full() {
		return &stopError{status: Failed, f: failure.New(failure.Runtime,
			"The execution reached the maximum number of events in its history (%d).", history.MaxEvents)}
	}
	if t.x.deadline.IsZero() {
		return nil
	}
	if now.IsZero() {
		now = t.x.engine.clock.Now()
	}
	if !now.Before(t.x.deadline) {
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
	t.prev = t.log.Append(at, t.prev, &e)
	return t.prev
}

// runScope runs states from the given point (the scope's StartAt, or where a redrive
// continues) until one ends the scope. When the scope stops without finishing, the
// thread's stoppedAt says where, for a redrive.
func (t *thread) runScope(ctx context.Context, sc *scope, from *resumePoint) (any, error) {
	name, input, inputText, prior := from.state, from.input, from.inputText, from.fan
	for {
		// One read for the timeout check and the entered event, or none: the state
		// before left microseconds ago, the same instant at the history's resolution.
		now := t.exitedAt
		t.exitedAt = time.Time{}
		if now.IsZero() {
			now = t.x.engine.clock.Now()
		}
		if err := t.checkAliveAt(ctx, now); err != nil {
			t.stoppedAt = &resumePoint{state: name, input: input, inputText: inputText, vars: t.vars, fan: prior}
			return nil, err
		}
		st := sc.states[name]
		t.fan = nil
		output, next, err := t.runState(ctx, st, input, inputText, prior, now)
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
		name, input, inputText, prior = next, output, "", nil
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
	// lastEventTime is when the state's work wrote its last event, zero when unknown:
	// the exit reuses it rather than reading the clock again microseconds later.
	lastEventTime time.Time
	context       *jsonvalue.Object
	env           jsonpath.Env // for JSONPath evaluations, built once per attempt
	envReady      bool
	// inspect, for TestState at DEBUG and TRACE, collects what each step made.
	inspect *inspection
	// prior is the progress a redriven Parallel or Map state starts from, for its first
	// attempt only.
	prior *fanProgress
}

func (r *stateRun) pathEnv() *jsonpath.Env {
	if !r.envReady {
		e := r.t.x.engine
		r.env = jsonpath.Env{Context: r.context, Vars: r.t.vars, Random: e.ids, NewUUID: e.newUUID}
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
	return jsonata.Bindings{States: states, Lookup: r.t.vars.Lookup, Functions: r.t.x.engine.functions}
}

// runState runs one state and returns its output and the next state ("" when it ends
// its scope). Failures that the state does not catch are returned.
// inputText is the input as given, when it was given as text (the execution input).
// The history receives the values themselves, rendered only when it is read.
func (t *thread) runState(ctx context.Context, st *state, input any, inputText string, prior *fanProgress, now time.Time) (any, string, error) {
	r := t.spare // the thread's previous stateRun: nothing refers to it once its state ended
	if r == nil {
		r = new(stateRun)
	}
	t.spare = nil
	defer func() { t.spare = r }()
	*r = stateRun{t: t, st: st, rawInput: input, enteredTime: now, prior: prior}
	entered := history.Event{Type: st.enteredEvent, Kind: st.enteredKind, StateEntered: st.entered}
	if inputText == "" {
		entered.Payload, entered.PayloadSet = input, true
	} else {
		entered.StateEntered = &history.StateEnteredDetails{Name: st.Name, Input: inputText, InputDetails: history.NotTruncated}
	}
	r.enteredID = t.appendAt(r.enteredTime, entered)
	r.refreshContext()

	output, assigned, next, err := t.runStateBody(ctx, r)
	if err != nil {
		return nil, "", t.explain(r, err)
	}
	t.vars.assign(assigned)
	if !jsonvalue.Within(output, MaxPayloadBytes) {
		return nil, "", failure.New(failure.DataLimitExceeded,
			"The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", st.Name)
	}
	if st.Type != asl.TypeFail {
		exited := st.exited
		at := r.lastEventTime // a state that finishes as its work does leaves at that time
		if at.IsZero() {
			at = t.x.engine.clock.Now()
		}
		if assigned.Len() > 0 {
			exited = &history.StateExitedDetails{Name: st.Name, OutputDetails: history.NotTruncated}
			exited.AssignedVariables = renderVariables(assigned)
			exited.AssignedVariablesDetails = history.NotTruncated
		}
		t.appendAt(at, history.Event{Type: st.exitedEvent, Kind: st.exitedKind, StateExited: exited, Payload: output, PayloadSet: true})
		t.exitedAt = at
	}
	return output, next, nil
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
	retries := retryCounter{retriers: st.Retry}
	for {
		output, assigned, err := t.attempt(ctx, r)
		if err == nil {
			return output, assigned, st.nextState(), nil
		}
		if _, stopped := as[*stopError](err); stopped {
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
	executionContext, machineContext := x.contextParts()
	r.context = jsonvalue.ObjectOf("Execution", executionContext, "StateMachine", machineContext, "State", stateContext)
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
	if _, stopped := as[*stopError](err); stopped {
		return err
	}
	f := failure.As(err)
	if evaluation, ok := as[*evaluationError](err); ok && !evaluation.explained {
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
	if _, already := as[*evaluationError](err); already {
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
