package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// runTask runs one attempt of a Task state: evaluate its arguments, call the
// integration, and turn the result into the state's output.
func (t *thread) runTask(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, error) {
	if err := r.applyInputPath(); err != nil {
		return nil, nil, err
	}
	resourceARN, callback := strings.CutSuffix(r.st.Resource, waitForTaskToken)
	if callback {
		r.taskToken = t.x.engine.newTaskToken()
		r.refreshContext()
	}
	args, err := r.payload()
	if err != nil {
		return nil, nil, err
	}
	if !jsonvalue.Within(args, MaxPayloadBytes) {
		return nil, nil, failure.New(failure.DataLimitExceeded,
			"The state/task '%s' has an input with a size exceeding the maximum number of bytes service limit.", r.st.Name)
	}
	timeout, err := r.st.timeout.taskSeconds(r)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	heartbeat, err := r.st.heartbeat.taskSeconds(r)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	parsed, err := r.st.parsedResource(resourceARN)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	resource := *parsed
	if resource.Kind == task.KindActivity {
		return t.runActivity(ctx, r, resource, args, timeout, heartbeat)
	}
	if callback {
		resource.Action += waitForTaskToken
	}
	family := resource.Events()
	scheduledAt := r.enteredTime // the arguments take microseconds: the same instant, at ms resolution
	if r.retryCount > 0 {
		scheduledAt = t.x.engine.clock.Now() // a retry comes after a wait
	}
	var scheduled, started history.Event // filled in place: an Event is some 400 bytes
	scheduledEvent(&scheduled, r.st, family, &resource, args, timeout, heartbeat, t.x.engine.region)
	startedEvent(&started, family, &resource)
	t.prev = t.log.AppendPair(scheduledAt, t.prev, &scheduled, &started)

	tasks := t.x.engine.tasks
	if tasks == nil {
		f := failure.New(failure.Runtime, "no task integrations are configured")
		t.append(failedEvent(family, family.Failed(), resource, f))
		return nil, nil, f
	}
	var pending *pendingTask
	if callback {
		// Registered before the call: a worker may answer before the call returns.
		pending = t.x.engine.callbacks.register(r.taskToken)
	}
	request := task.Request{
		Resource:  resourceARN,
		Parsed:    parsed, // as the registry would parse resourceARN
		Arguments: args,
		Timeout:   time.Duration(timeout) * time.Second,
		Heartbeat: time.Duration(heartbeat) * time.Second,
		Caller: task.Caller{
			StateMachineName: t.x.StateMachineName, ExecutionName: t.x.Name, TestCase: t.x.TestCase,
			StateName: r.st.Name, Invocation: t.x.nextInvocation(r.st),
		},
	}
	if _, real := t.x.engine.clock.(clock.Real); real {
		request.Scheduled = scheduledAt // the deadline counts from it, as AWS's does
	}
	result, err := tasks.Invoke(ctx, request)
	if err == nil && callback {
		t.append(history.Event{Type: history.TaskSubmitted, TaskSubmitted: &history.TaskOutputDetails{
			TaskResource: taskResource(resource), OutputDetails: history.OutputDetails{Output: intrinsic.JSONText(result), OutputDetails: history.NotTruncated}}})
		result, err = t.x.engine.awaitCallback(ctx, r.taskToken, pending, time.Duration(timeout)*time.Second, time.Duration(heartbeat)*time.Second)
	} else if callback {
		t.x.engine.callbacks.forget(r.taskToken, false)
	}
	if err != nil {
		if alive := t.checkAlive(ctx); alive != nil {
			return nil, nil, alive
		}
		f := failure.As(err)
		eventType := family.Failed()
		if f.Name == failure.Timeout || f.Name == failure.HeartbeatTimeout {
			eventType = family.TimedOut()
		}
		t.append(failedEvent(family, eventType, resource, f))
		return nil, nil, f
	}
	r.lastEventTime = t.x.engine.later(scheduledAt)
	var succeeded history.Event
	succeededEvent(&succeeded, family, &resource, result)
	t.prev = t.log.Append(r.lastEventTime, t.prev, &succeeded)
	return r.finish(result)
}

// parsedResource is task.ParseResource for the state's resource, kept by the state
// (shared: not to be changed).
func (st *state) parsedResource(arn string) (*task.Resource, error) {
	if res := st.resource.Load(); res != nil && res.ARN == arn {
		return res, nil
	}
	res, err := task.ParseResource(arn)
	if err != nil {
		return nil, err
	}
	st.resource.Store(&res)
	return &res, nil
}

// nextInvocation counts a state's invocations in the execution, retries included.
func (x *execution) nextInvocation(st *state) int {
	if st.index < len(x.smallInvocations) {
		return int(x.smallInvocations[st.index].Add(1) - 1)
	}
	counters := x.invocations.Load()
	if counters == nil {
		made := make([]atomic.Int32, x.machine.states)
		if !x.invocations.CompareAndSwap(nil, &made) {
			counters = x.invocations.Load()
		} else {
			counters = &made
		}
	}
	return int((*counters)[st.index].Add(1) - 1)
}

// lambdaKinds are the numbers of the Lambda events' types, which most Tasks write.
var lambdaKinds = struct{ scheduled, started, succeeded history.Kind }{
	history.KindOf(task.LambdaFunctionEvents.Scheduled()), history.KindOf(task.LambdaFunctionEvents.Started()),
	history.KindOf(task.LambdaFunctionEvents.Succeeded())}

func scheduledEvent(e *history.Event, st *state, family task.EventFamily, res *task.Resource, args any, timeout, heartbeat int64, region string) {
	e.Type, e.Payload, e.PayloadSet = family.Scheduled(), args, true
	if family == task.LambdaFunctionEvents {
		d := st.lambdaScheduled.Load()
		if d == nil || d.Resource != res.ARN || d.TimeoutInSeconds != timeout {
			d = &history.LambdaScheduledDetails{Resource: res.ARN, InputDetails: history.NotTruncated, TimeoutInSeconds: timeout}
			st.lambdaScheduled.Store(d)
		}
		e.LambdaFunctionScheduled, e.Kind = d, lambdaKinds.scheduled
		return
	}
	e.TaskScheduled = &history.TaskScheduledDetails{TaskResource: taskResource(*res), Region: region,
		TimeoutInSeconds: timeout, HeartbeatInSeconds: heartbeat}
}

func startedEvent(e *history.Event, family task.EventFamily, res *task.Resource) {
	e.Type = family.Started()
	if family == task.LambdaFunctionEvents {
		e.Kind = lambdaKinds.started
	}
	if family == task.TaskEvents {
		tr := taskResource(*res)
		e.TaskStarted = &tr
	}
}

// untruncatedOutput is the details of an output that the history renders from the
// event's payload: shared, since the history copies details as it renders them.
var untruncatedOutput = &history.OutputDetails{OutputDetails: history.NotTruncated}

func succeededEvent(e *history.Event, family task.EventFamily, res *task.Resource, result any) {
	e.Type, e.Payload, e.PayloadSet = family.Succeeded(), result, true
	if family == task.LambdaFunctionEvents {
		e.LambdaFunctionSucceeded, e.Kind = untruncatedOutput, lambdaKinds.succeeded
		return
	}
	e.TaskSucceeded = &history.TaskOutputDetails{TaskResource: taskResource(*res), OutputDetails: *untruncatedOutput}
}

func failedEvent(family task.EventFamily, eventType string, res task.Resource, f *failure.Error) history.Event {
	details := history.FailureDetails{Error: f.Name, Cause: f.Cause}
	e := history.Event{Type: eventType}
	timedOut := eventType == family.TimedOut()
	switch {
	case family == task.LambdaFunctionEvents && timedOut:
		e.LambdaFunctionTimedOut = &details
	case family == task.LambdaFunctionEvents:
		e.LambdaFunctionFailed = &details
	case timedOut:
		e.TaskTimedOut = &history.TaskFailureDetails{TaskResource: taskResource(res), FailureDetails: details}
	default:
		e.TaskFailed = &history.TaskFailureDetails{TaskResource: taskResource(res), FailureDetails: details}
	}
	return e
}

func taskResource(res task.Resource) history.TaskResource {
	return history.TaskResource{ResourceType: res.ResourceType, Resource: res.Action}
}
