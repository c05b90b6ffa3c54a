package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Status is an execution's status, as DescribeExecution reports it.
type Status string

const (
	Running   Status = "RUNNING"
	Succeeded Status = "SUCCEEDED"
	Failed    Status = "FAILED"
	TimedOut  Status = "TIMED_OUT"
	Aborted   Status = "ABORTED"
)

// StartInput describes an execution to start.
type StartInput struct {
	StateMachineName string
	StateMachineARN  string
	Name             string // the execution name
	ARN              string // the execution ARN
	RoleARN          string
	// Input is the execution input as JSON text; empty means {}.
	Input string
	// TestCase selects mocked responses (Step Functions Local's <arn>#<TestCase>).
	TestCase string
	// StateMachineVersionARN and StateMachineAliasARN say which version (and through which
	// alias) the execution runs, when it was started on one; they are reported, not used.
	StateMachineVersionARN string
	StateMachineAliasARN   string
}

// Execution is a running or finished execution. Its methods are safe for concurrent use.
type Execution struct {
	StartInput
	StartTime time.Time
	History   *history.Log

	engine *Engine
	run    *execution

	mu     sync.Mutex
	status Status
	output string
	// outputValue, while outputSet, is the output not yet rendered into output.
	outputValue any
	outputSet   bool
	errName     string
	cause       string
	stopTime    time.Time
	// done is closed when the current run ends; a redrive starts a new run with a new
	// channel, and so does cancel. It is made when someone first asks for it (an
	// execution run by Run is often never waited on), under mu.
	done   chan struct{}
	cancel context.CancelCauseFunc
	// resume is where a redrive continues: nil while running and after success.
	resume       *resumePoint
	redriveCount int
	redriveTime  time.Time
	// redriving is set while a redrive waits for the previous run's goroutine to finish.
	redriving bool
	// mapRuns are the runs of its DISTRIBUTED Map states.
	mapRuns []*MapRun
}

// Result is an execution's outcome so far.
type Result struct {
	Status   Status
	Output   string // SUCCEEDED only: the output as JSON text
	Error    string
	Cause    string
	StopTime time.Time // zero while running
	// RedriveCount is how often the execution was redriven, RedriveTime when last.
	RedriveCount int
	RedriveTime  time.Time
}

// Status reports the execution's status now.
func (x *Execution) Status() Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status
}

// Done is closed when the execution's current run has finished. After a redrive, ask
// again: the redriven run has a channel of its own.
func (x *Execution) Done() <-chan struct{} {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.doneLocked()
}

// closed is the Done of a finished run that nobody asked for while it ran.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (x *Execution) doneLocked() chan struct{} {
	if x.done == nil {
		if x.status != Running {
			return closed
		}
		x.done = make(chan struct{})
	}
	return x.done
}

// Wait blocks until the execution's current run finishes or ctx ends, and returns its
// result.
func (x *Execution) Wait(ctx context.Context) (Result, error) {
	select {
	case <-x.Done():
		return x.Result(), nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Result returns the outcome so far: Status RUNNING while it runs.
func (x *Execution) Result() Result {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.resultLocked()
}

func (x *Execution) resultLocked() Result {
	if x.outputSet { // rendered when first asked for: many callers only want the status
		x.output, x.outputValue, x.outputSet = intrinsic.JSONText(x.outputValue), nil, false
	}
	return Result{Status: x.status, Output: x.output, Error: x.errName, Cause: x.cause, StopTime: x.stopTime,
		RedriveCount: x.redriveCount, RedriveTime: x.redriveTime}
}

// errStopped is the cancellation cause of a StopExecution.
type errStopped struct{ reason failure.Error }

func (e *errStopped) Error() string { return "execution stopped: " + e.reason.Name }

// Stop aborts a running execution with an optional error and cause, as StopExecution
// does; it returns once the execution has ended. Stopping a finished execution does
// nothing.
func (x *Execution) Stop(errName, cause string) {
	x.mu.Lock()
	cancel, done := x.cancel, x.doneLocked()
	x.mu.Unlock()
	cancel(&errStopped{reason: failure.Error{Name: errName, Cause: cause}})
	<-done
}

// Start begins an execution of m and returns at once; the execution runs until it
// finishes, times out, is stopped, or ctx ends (which aborts it).
func (e *Engine) Start(ctx context.Context, m *Machine, in StartInput) (*Execution, error) {
	x, runCtx, input, err := e.prepare(ctx, m, in)
	if err != nil {
		return nil, err
	}
	go x.run.run(runCtx, input)
	return x, nil
}

// Run runs an execution to its end on the caller's goroutine (no hand-off: the caller
// waits anyway) and returns it. It can be stopped from another goroutine meanwhile.
func (e *Engine) Run(ctx context.Context, m *Machine, in StartInput) (*Execution, error) {
	x, runCtx, input, err := e.prepare(ctx, m, in)
	if err != nil {
		return nil, err
	}
	x.run.run(runCtx, input)
	return x, nil
}

// prepare makes an execution ready to run.
func (e *Engine) prepare(ctx context.Context, m *Machine, in StartInput) (*Execution, context.Context, any, error) {
	input, err := decodeInput(in.Input)
	if err != nil {
		return nil, nil, nil, err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	both := &struct { // one allocation for the two
		x   Execution
		run execution
	}{x: Execution{
		StartInput: in,
		StartTime:  e.clock.Now(),
		History:    history.NewLogWithRoom(int(m.historyLength.Load())),
		engine:     e,
		status:     Running,
		cancel:     cancel,
	}}
	x := &both.x
	both.run = execution{Execution: x, engine: e, machine: m}
	x.run = &both.run
	e.statusChanged(x, x.resultLocked())
	return x, runCtx, input, nil
}

// InvalidInputError is an execution input that is not JSON or is too large.
type InvalidInputError struct{ Reason string }

func (e *InvalidInputError) Error() string { return e.Reason }

func decodeInput(text string) (any, error) {
	if text == "" {
		return jsonvalue.NewObject(0), nil
	}
	if len(text) > MaxPayloadBytes {
		return nil, &InvalidInputError{Reason: fmt.Sprintf("the input is %d bytes, more than the %d allowed", len(text), MaxPayloadBytes)}
	}
	v, err := jsonvalue.ParseString(text)
	if err != nil {
		return nil, &InvalidInputError{Reason: "the input is not valid JSON: " + err.Error()}
	}
	return v, nil
}

// finish records the outcome and the terminal event, once per run, and where a redrive
// would continue.
func (x *Execution) finish(at time.Time, prev int64, status Status, output any, f *failure.Error, resume *resumePoint) {
	x.mu.Lock()
	if x.status != Running {
		x.mu.Unlock()
		return
	}
	x.status, x.stopTime = status, at
	event := history.Event{}
	details := &history.FailureDetails{}
	if f != nil {
		x.errName, x.cause = f.Name, f.Cause
		details.Error, details.Cause = f.Name, f.Cause
	}
	switch status {
	case Succeeded:
		x.outputValue, x.outputSet = output, true
		event.Type = history.ExecutionSucceeded
		event.ExecutionSucceeded = &history.OutputDetails{OutputDetails: history.NotTruncated}
		event.Payload, event.PayloadSet = output, true
	case Failed:
		event.Type, event.ExecutionFailed = history.ExecutionFailed, details
	case TimedOut:
		event.Type, event.ExecutionTimedOut = history.ExecutionTimedOut, details
	case Aborted:
		event.Type, event.ExecutionAborted = history.ExecutionAborted, details
	}
	if status != Succeeded {
		x.resume = resume
	}
	x.History.AppendFinal(at, prev, &event)
	x.run.machine.noteHistoryLength(x.History.Len())
	x.engine.statusChanged(x, x.resultLocked())
	if x.done != nil {
		close(x.done)
	}
	x.mu.Unlock()
}
