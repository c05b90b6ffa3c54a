package engine

import (
	"context"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// Activities: a Task state whose Resource is an activity ARN waits until a worker takes
// its input with GetActivityTask and answers with SendTaskSuccess or SendTaskFailure
// (the worker keeps it alive with SendTaskHeartbeat), as on AWS. The history shows
// ActivityScheduled, ActivityStarted (with the worker's name) and ActivitySucceeded,
// ActivityFailed or ActivityTimedOut.

// ActivityTask is what a worker gets: the token to answer with and the input as JSON.
type ActivityTask struct {
	Token string
	Input string
}

// activityTask is a scheduled activity task, until a worker takes it.
type activityTask struct {
	ActivityTask
	taken chan string // receives the worker's name
}

// activities queues the scheduled tasks per activity ARN, oldest first.
type activities struct {
	mu      sync.Mutex
	queues  map[string][]*activityTask
	arrived chan struct{} // closed and replaced when a task is queued
}

func (a *activities) enqueue(arn string, t *activityTask) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.queues == nil {
		a.queues = map[string][]*activityTask{}
	}
	a.queues[arn] = append(a.queues[arn], t)
	if a.arrived != nil {
		close(a.arrived)
		a.arrived = nil
	}
}

// withdraw removes a task nobody took (its execution ended, or it timed out).
func (a *activities) withdraw(arn string, t *activityTask) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.queues[arn]
	for i, queued := range q {
		if queued == t {
			a.queues[arn] = append(q[:i], q[i+1:]...)
			return
		}
	}
}

// take removes and returns the oldest task of arn, or a channel closed when any task
// is queued.
func (a *activities) take(arn string) (*activityTask, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if q := a.queues[arn]; len(q) > 0 {
		a.queues[arn] = q[1:]
		return q[0], nil
	}
	if a.arrived == nil {
		a.arrived = make(chan struct{})
	}
	return nil, a.arrived
}

// GetActivityTask waits until an execution schedules a task of the activity arn, or ctx
// ends (false): the API server bounds it with AWS's 60-second long poll.
func (e *Engine) GetActivityTask(ctx context.Context, arn, workerName string) (ActivityTask, bool) {
	for {
		t, arrived := e.activities.take(arn)
		if t != nil {
			t.taken <- workerName // buffered: the task's execution reads it when it can
			return t.ActivityTask, true
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return ActivityTask{}, false
		}
	}
}

// runActivity schedules the activity task and waits for its worker's answer.
func (t *thread) runActivity(ctx context.Context, r *stateRun, resource task.Resource, args any, timeout, heartbeat int64) (any, *jsonvalue.Object, error) {
	e := t.x.engine
	family := resource.Events()
	t.append(history.Event{Type: family.Scheduled(), Payload: args, PayloadSet: true,
		ActivityScheduled: &history.ActivityScheduledDetails{Resource: resource.ARN, InputDetails: history.NotTruncated,
			TimeoutInSeconds: timeout, HeartbeatInSeconds: heartbeat}})
	token := e.newTaskToken()
	pending := e.callbacks.register(token)
	queued := &activityTask{ActivityTask: ActivityTask{Token: token, Input: jsonvalue.Text(args)}, taken: make(chan string, 1)}
	e.activities.enqueue(resource.ARN, queued)
	defer e.activities.withdraw(resource.ARN, queued)

	// TimeoutSeconds counts from the scheduling, HeartbeatSeconds from the start and
	// each heartbeat, on the wall clock: workers live outside the engine's time.
	var timeoutC, heartbeatC <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(time.Duration(timeout) * time.Second)
		defer timer.Stop()
		timeoutC = timer.C
	}
	var beat *time.Timer
	fail := func(eventType string, f *failure.Error) (any, *jsonvalue.Object, error) {
		d := &history.FailureDetails{Error: f.Name, Cause: f.Cause}
		ev := history.Event{Type: eventType}
		if eventType == family.TimedOut() {
			ev.ActivityTimedOut = d
		} else {
			ev.ActivityFailed = d
		}
		t.append(ev)
		return nil, nil, f
	}
	for {
		select {
		case worker := <-queued.taken:
			t.append(history.Event{Type: family.Started(), ActivityStarted: &history.ActivityStartedDetails{WorkerName: worker}})
			if heartbeat > 0 {
				beat = time.NewTimer(time.Duration(heartbeat) * time.Second)
				defer beat.Stop()
				heartbeatC = beat.C
			}
		case answer := <-pending.answer:
			e.callbacks.forget(token, false)
			if answer.fail != nil {
				return fail(family.Failed(), answer.fail)
			}
			r.lastEventTime = e.clock.Now()
			t.appendAt(r.lastEventTime, history.Event{Type: family.Succeeded(), Payload: answer.output, PayloadSet: true,
				ActivitySucceeded: &history.OutputDetails{OutputDetails: history.NotTruncated}})
			return r.finish(answer.output)
		case <-pending.heartbeat:
			if beat != nil {
				beat.Reset(time.Duration(heartbeat) * time.Second)
			}
		case <-heartbeatC:
			e.callbacks.forget(token, true)
			return fail(family.TimedOut(), &failure.Error{Name: failure.HeartbeatTimeout})
		case <-timeoutC:
			e.callbacks.forget(token, true)
			return fail(family.TimedOut(), &failure.Error{Name: failure.Timeout})
		case <-ctx.Done():
			e.callbacks.forget(token, false)
			return nil, nil, t.checkAlive(ctx)
		}
	}
}
