// Package history records an execution's events in the shape of AWS's
// GetExecutionHistory, so a local history reads like the console's and the API server
// can return it as it is.
package history

import (
	"encoding/json"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Event types, as AWS names them.
const (
	ExecutionStarted   = "ExecutionStarted"
	ExecutionSucceeded = "ExecutionSucceeded"
	ExecutionFailed    = "ExecutionFailed"
	ExecutionTimedOut  = "ExecutionTimedOut"
	ExecutionAborted   = "ExecutionAborted"
	ExecutionRedriven  = "ExecutionRedriven"

	TaskScheduled = "TaskScheduled"
	TaskStarted   = "TaskStarted"
	TaskSucceeded = "TaskSucceeded"
	TaskFailed    = "TaskFailed"
	TaskTimedOut  = "TaskTimedOut"
	// TaskSubmitted: a callback task's integration accepted the work; the task now
	// waits for its token to be answered.
	TaskSubmitted = "TaskSubmitted"

	LambdaFunctionScheduled   = "LambdaFunctionScheduled"
	LambdaFunctionStarted     = "LambdaFunctionStarted"
	LambdaFunctionSucceeded   = "LambdaFunctionSucceeded"
	LambdaFunctionFailed      = "LambdaFunctionFailed"
	LambdaFunctionTimedOut    = "LambdaFunctionTimedOut"
	LambdaFunctionStartFailed = "LambdaFunctionStartFailed"

	MapStateStarted       = "MapStateStarted"
	MapStateSucceeded     = "MapStateSucceeded"
	MapStateFailed        = "MapStateFailed"
	MapStateAborted       = "MapStateAborted"
	MapIterationStarted   = "MapIterationStarted"
	MapIterationSucceeded = "MapIterationSucceeded"
	MapIterationFailed    = "MapIterationFailed"
	MapIterationAborted   = "MapIterationAborted"
	// A DISTRIBUTED Map runs its iterations as child executions: the parent's history
	// shows the map run, not the iterations.
	MapRunStarted   = "MapRunStarted"
	MapRunSucceeded = "MapRunSucceeded"
	MapRunFailed    = "MapRunFailed"
	MapRunAborted   = "MapRunAborted"

	ParallelStateStarted   = "ParallelStateStarted"
	ParallelStateSucceeded = "ParallelStateSucceeded"
	ParallelStateFailed    = "ParallelStateFailed"
	ParallelStateAborted   = "ParallelStateAborted"

	EvaluationFailed = "EvaluationFailed"

	ActivityScheduled      = "ActivityScheduled"
	ActivityScheduleFailed = "ActivityScheduleFailed"
	ActivityStarted        = "ActivityStarted"
	ActivitySucceeded      = "ActivitySucceeded"
	ActivityFailed         = "ActivityFailed"
	ActivityTimedOut       = "ActivityTimedOut"
)

// Entered and Exited name a state's entered/exited event: "Task" gives TaskStateEntered.
func Entered(stateType string) string { return stateType + "StateEntered" }
func Exited(stateType string) string  { return stateType + "StateExited" }

// NotTruncated is the payload details of every payload: shared, since it never changes.
var NotTruncated = &PayloadDetails{}

// Event is one history event. Exactly one details field is set (none for the events AWS
// gives no details, such as ParallelStateStarted); the JSON names are AWS's.
type Event struct {
	Timestamp time.Time `json:"-"`
	Type      string    `json:"type"`
	// Kind, when not zero, is KindOf(Type), which the log would otherwise look up.
	Kind            Kind  `json:"-"`
	ID              int64 `json:"id"`
	PreviousEventID int64 `json:"previousEventId"`

	// Payload, when PayloadSet, is the value whose JSON text the log writes into the
	// details' input, output or parameters when the event is read: the engine hands
	// over the (immutable) value and the rendering waits until someone reads the
	// history, which most executions' histories never are. Events read back from a Log
	// have their text filled in and no Payload.
	Payload    any  `json:"-"`
	PayloadSet bool `json:"-"`

	ExecutionStarted   *ExecutionStartedDetails  `json:"executionStartedEventDetails,omitempty"`
	ExecutionSucceeded *OutputDetails            `json:"executionSucceededEventDetails,omitempty"`
	ExecutionFailed    *FailureDetails           `json:"executionFailedEventDetails,omitempty"`
	ExecutionTimedOut  *FailureDetails           `json:"executionTimedOutEventDetails,omitempty"`
	ExecutionAborted   *FailureDetails           `json:"executionAbortedEventDetails,omitempty"`
	ExecutionRedriven  *ExecutionRedrivenDetails `json:"executionRedrivenEventDetails,omitempty"`

	StateEntered *StateEnteredDetails `json:"stateEnteredEventDetails,omitempty"`
	StateExited  *StateExitedDetails  `json:"stateExitedEventDetails,omitempty"`

	TaskScheduled *TaskScheduledDetails `json:"taskScheduledEventDetails,omitempty"`
	TaskStarted   *TaskResource         `json:"taskStartedEventDetails,omitempty"`
	TaskSucceeded *TaskOutputDetails    `json:"taskSucceededEventDetails,omitempty"`
	TaskFailed    *TaskFailureDetails   `json:"taskFailedEventDetails,omitempty"`
	TaskTimedOut  *TaskFailureDetails   `json:"taskTimedOutEventDetails,omitempty"`
	TaskSubmitted *TaskOutputDetails    `json:"taskSubmittedEventDetails,omitempty"`

	LambdaFunctionScheduled   *LambdaScheduledDetails `json:"lambdaFunctionScheduledEventDetails,omitempty"`
	LambdaFunctionSucceeded   *OutputDetails          `json:"lambdaFunctionSucceededEventDetails,omitempty"`
	LambdaFunctionFailed      *FailureDetails         `json:"lambdaFunctionFailedEventDetails,omitempty"`
	LambdaFunctionTimedOut    *FailureDetails         `json:"lambdaFunctionTimedOutEventDetails,omitempty"`
	LambdaFunctionStartFailed *FailureDetails         `json:"lambdaFunctionStartFailedEventDetails,omitempty"`

	MapStateStarted       *MapStartedDetails   `json:"mapStateStartedEventDetails,omitempty"`
	MapRunStarted         *MapRunDetails       `json:"mapRunStartedEventDetails,omitempty"`
	MapRunFailed          *FailureDetails      `json:"mapRunFailedEventDetails,omitempty"`
	MapIterationStarted   *MapIterationDetails `json:"mapIterationStartedEventDetails,omitempty"`
	MapIterationSucceeded *MapIterationDetails `json:"mapIterationSucceededEventDetails,omitempty"`
	MapIterationFailed    *MapIterationDetails `json:"mapIterationFailedEventDetails,omitempty"`
	MapIterationAborted   *MapIterationDetails `json:"mapIterationAbortedEventDetails,omitempty"`

	EvaluationFailed *EvaluationFailedDetails `json:"evaluationFailedEventDetails,omitempty"`

	ActivityScheduled *ActivityScheduledDetails `json:"activityScheduledEventDetails,omitempty"`
	ActivityStarted   *ActivityStartedDetails   `json:"activityStartedEventDetails,omitempty"`
	ActivitySucceeded *OutputDetails            `json:"activitySucceededEventDetails,omitempty"`
	ActivityFailed    *FailureDetails           `json:"activityFailedEventDetails,omitempty"`
	ActivityTimedOut  *FailureDetails           `json:"activityTimedOutEventDetails,omitempty"`
}

type ActivityScheduledDetails struct {
	Resource           string          `json:"resource"`
	Input              string          `json:"input,omitempty"`
	InputDetails       *PayloadDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds   int64           `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64           `json:"heartbeatInSeconds,omitempty"`
}

type ActivityStartedDetails struct {
	WorkerName string `json:"workerName,omitempty"`
}

// PayloadDetails says whether a payload was cut to fit; ours never are.
type PayloadDetails struct {
	Truncated bool `json:"truncated"`
}

type ExecutionStartedDetails struct {
	Input        string          `json:"input,omitempty"`
	InputDetails *PayloadDetails `json:"inputDetails,omitempty"`
	RoleArn      string          `json:"roleArn,omitempty"`
}

// ExecutionRedrivenDetails count the redrives, this one included.
type ExecutionRedrivenDetails struct {
	RedriveCount int `json:"redriveCount"`
}

type OutputDetails struct {
	Output        string          `json:"output,omitempty"`
	OutputDetails *PayloadDetails `json:"outputDetails,omitempty"`
}

type FailureDetails struct {
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

type StateEnteredDetails struct {
	Name         string          `json:"name"`
	Input        string          `json:"input,omitempty"`
	InputDetails *PayloadDetails `json:"inputDetails,omitempty"`
}

type StateExitedDetails struct {
	Name                     string            `json:"name"`
	Output                   string            `json:"output,omitempty"`
	OutputDetails            *PayloadDetails   `json:"outputDetails,omitempty"`
	AssignedVariables        *jsonvalue.Object `json:"assignedVariables,omitempty"` // of JSON texts, in Assign's order
	AssignedVariablesDetails *PayloadDetails   `json:"assignedVariablesDetails,omitempty"`
}

// TaskResource names a service integration: resourceType "lambda", resource "invoke".
type TaskResource struct {
	ResourceType string `json:"resourceType"`
	Resource     string `json:"resource"`
}

type TaskScheduledDetails struct {
	TaskResource
	Region             string `json:"region"`
	Parameters         string `json:"parameters"`
	TimeoutInSeconds   int64  `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds int64  `json:"heartbeatInSeconds,omitempty"`
}

type TaskOutputDetails struct {
	TaskResource
	OutputDetails
}

type TaskFailureDetails struct {
	TaskResource
	FailureDetails
}

type LambdaScheduledDetails struct {
	Resource         string          `json:"resource"`
	Input            string          `json:"input,omitempty"`
	InputDetails     *PayloadDetails `json:"inputDetails,omitempty"`
	TimeoutInSeconds int64           `json:"timeoutInSeconds,omitempty"`
}

type MapStartedDetails struct {
	Length int `json:"length"`
}

// MapRunDetails name a DISTRIBUTED Map's run.
type MapRunDetails struct {
	MapRunArn string `json:"mapRunArn"`
}

type MapIterationDetails struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

type EvaluationFailedDetails struct {
	Error    string `json:"error,omitempty"`
	Cause    string `json:"cause,omitempty"`
	Location string `json:"location,omitempty"`
	State    string `json:"state"`
}

// StateName is the state an event is about, when it is about one: the name the console
// shows beside the event.
func (e *Event) StateName() string {
	switch {
	case e.StateEntered != nil:
		return e.StateEntered.Name
	case e.StateExited != nil:
		return e.StateExited.Name
	case e.MapIterationStarted != nil:
		return e.MapIterationStarted.Name
	case e.MapIterationSucceeded != nil:
		return e.MapIterationSucceeded.Name
	case e.MapIterationFailed != nil:
		return e.MapIterationFailed.Name
	case e.MapIterationAborted != nil:
		return e.MapIterationAborted.Name
	case e.EvaluationFailed != nil:
		return e.EvaluationFailed.State
	}
	return ""
}

// MarshalJSON writes the event as the Step Functions API does on the wire: the
// timestamp in epoch seconds, with milliseconds.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event // without this method
	return json.Marshal(struct {
		Timestamp float64 `json:"timestamp"`
		plain
	}{Timestamp: float64(e.Timestamp.UnixMilli()) / 1000, plain: plain(e)})
}
