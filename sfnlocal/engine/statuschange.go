package engine

import (
	"encoding/json"
	"sync"
	"time"
)

// StatusChange is what Amazon EventBridge's "Step Functions Execution Status Change"
// event tells about an execution: delivered when it starts (RUNNING), when it ends
// (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) and when it is redriven (RUNNING again, with
// RedriveCount one higher). A local runtime reacts to it as an EventBridge rule would on
// AWS: alert on a failed or timed-out execution, resume a stuck one.
type StatusChange struct {
	ExecutionARN    string
	StateMachineARN string
	Name            string
	Status          Status
	StartDate       time.Time
	StopDate        time.Time // zero while RUNNING
	Input           string    // as given at the start
	Output          string    // SUCCEEDED only
	Error, Cause    string    // FAILED, TIMED_OUT, ABORTED, when there are any
	RedriveCount    int
	RedriveDate     time.Time // zero until the first redrive
	// RedriveStatus is REDRIVABLE or NOT_REDRIVABLE at the time of the change, with the
	// reason when not, as DescribeExecution would say.
	RedriveStatus, RedriveStatusReason           string
	StateMachineVersionARN, StateMachineAliasARN string
}

// StatusChangeHandler receives status changes. Handlers run one at a time, in the order
// the changes happened, on a goroutine of the engine's: a handler may call back into the
// engine (Redrive, Stop) without deadlocking, and a slow handler delays only the
// handlers after it, never an execution.
type StatusChangeHandler func(StatusChange)

// OnStatusChange adds a handler of every execution's status changes and returns a
// function that removes it.
func (e *Engine) OnStatusChange(h StatusChangeHandler) (remove func()) {
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	id := e.hooks.next
	e.hooks.next++
	if e.hooks.handlers == nil {
		e.hooks.handlers = map[int]StatusChangeHandler{}
	}
	e.hooks.handlers[id] = h
	return func() {
		e.hooks.mu.Lock()
		defer e.hooks.mu.Unlock()
		delete(e.hooks.handlers, id)
	}
}

// hooks queues status changes and delivers them in order, from one goroutine at a time
// that lives only while there is something to deliver.
type hooks struct {
	mu         sync.Mutex
	handlers   map[int]StatusChangeHandler
	next       int
	queue      []StatusChange
	delivering bool
}

// statusChanged queues the change of x to r. The caller holds x.mu (or owns x alone),
// so changes of one execution are queued in the order they happened.
func (e *Engine) statusChanged(x *Execution, r Result) {
	e.hooks.mu.Lock()
	defer e.hooks.mu.Unlock()
	if len(e.hooks.handlers) == 0 {
		return
	}
	change := StatusChange{
		ExecutionARN: x.ARN, StateMachineARN: x.StateMachineARN, Name: x.Name, Status: r.Status,
		StartDate: x.StartTime, StopDate: r.StopTime, Input: x.Input, Output: r.Output,
		Error: r.Error, Cause: r.Cause, RedriveCount: r.RedriveCount, RedriveDate: r.RedriveTime,
		StateMachineVersionARN: x.StateMachineVersionARN, StateMachineAliasARN: x.StateMachineAliasARN,
	}
	if change.Input == "" {
		change.Input = "{}"
	}
	change.RedriveStatus, change.RedriveStatusReason = redriveStatusOf(x, r, e.clock.Now())
	e.hooks.queue = append(e.hooks.queue, change)
	if !e.hooks.delivering {
		e.hooks.delivering = true
		go e.deliver()
	}
}

func (e *Engine) deliver() {
	for {
		e.hooks.mu.Lock()
		if len(e.hooks.queue) == 0 {
			e.hooks.delivering = false
			e.hooks.queue = nil
			e.hooks.mu.Unlock()
			return
		}
		change := e.hooks.queue[0]
		e.hooks.queue = e.hooks.queue[1:]
		handlers := make([]StatusChangeHandler, 0, len(e.hooks.handlers))
		for id := range e.hooks.next {
			if h, ok := e.hooks.handlers[id]; ok {
				handlers = append(handlers, h)
			}
		}
		e.hooks.mu.Unlock()
		for _, h := range handlers {
			h(change)
		}
	}
}

// EventBridgeEvent is the change as the event EventBridge delivers on AWS (source
// "aws.states", detail-type "Step Functions Execution Status Change"), as JSON. id is
// the event's id; dates in the detail are epoch milliseconds, as on AWS.
func (c StatusChange) EventBridgeEvent(id, account, region string, at time.Time) []byte {
	type payloadDetails struct {
		Included bool `json:"included"`
	}
	millis := func(t time.Time) *int64 {
		if t.IsZero() {
			return nil
		}
		ms := t.UnixMilli()
		return &ms
	}
	optional := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	detail := struct {
		ExecutionARN           string          `json:"executionArn"`
		StateMachineARN        string          `json:"stateMachineArn"`
		Name                   string          `json:"name"`
		Status                 Status          `json:"status"`
		StartDate              *int64          `json:"startDate"`
		StopDate               *int64          `json:"stopDate"`
		Input                  string          `json:"input"`
		Output                 *string         `json:"output"`
		StateMachineVersionARN *string         `json:"stateMachineVersionArn"`
		StateMachineAliasARN   *string         `json:"stateMachineAliasArn"`
		RedriveCount           int             `json:"redriveCount"`
		RedriveDate            *int64          `json:"redriveDate"`
		RedriveStatus          string          `json:"redriveStatus"`
		RedriveStatusReason    *string         `json:"redriveStatusReason,omitempty"`
		InputDetails           payloadDetails  `json:"inputDetails"`
		OutputDetails          *payloadDetails `json:"outputDetails"`
		Error                  *string         `json:"error"`
		Cause                  *string         `json:"cause"`
	}{
		ExecutionARN: c.ExecutionARN, StateMachineARN: c.StateMachineARN, Name: c.Name, Status: c.Status,
		StartDate: millis(c.StartDate), StopDate: millis(c.StopDate), Input: c.Input,
		StateMachineVersionARN: optional(c.StateMachineVersionARN), StateMachineAliasARN: optional(c.StateMachineAliasARN),
		RedriveCount: c.RedriveCount, RedriveDate: millis(c.RedriveDate), RedriveStatus: c.RedriveStatus,
		RedriveStatusReason: optional(c.RedriveStatusReason), InputDetails: payloadDetails{Included: true},
		Error: optional(c.Error), Cause: optional(c.Cause),
	}
	if c.Status == Succeeded {
		detail.Output, detail.OutputDetails = &c.Output, &payloadDetails{Included: true}
	}
	event := struct {
		Version    string   `json:"version"`
		ID         string   `json:"id"`
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Account    string   `json:"account"`
		Time       string   `json:"time"`
		Region     string   `json:"region"`
		Resources  []string `json:"resources"`
		Detail     any      `json:"detail"`
	}{"0", id, "Step Functions Execution Status Change", "aws.states", account,
		at.UTC().Format(time.RFC3339), region, []string{c.ExecutionARN}, detail}
	data, _ := json.Marshal(event) // plain strings, numbers and pointers: cannot fail
	return data
}
