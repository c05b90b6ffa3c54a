package task

// EventFamily names the history events a Task's invocation writes. AWS uses
// LambdaFunction* events for a Lambda function ARN resource and Task* events (with a
// resourceType and resource) for service integrations, lambda:invoke included.
type EventFamily string

// The two families of Task invocation events.
const (
	LambdaFunctionEvents EventFamily = "LambdaFunction"
	TaskEvents           EventFamily = "Task"
)

// Scheduled is the event type written before the invocation.
func (f EventFamily) Scheduled() string { return string(f) + "Scheduled" }

// Started is the event type written when the invocation starts.
func (f EventFamily) Started() string { return string(f) + "Started" }

// StartFailed is the event type written when the invocation could not start.
func (f EventFamily) StartFailed() string { return string(f) + "StartFailed" }

// Succeeded is the event type written with the result.
func (f EventFamily) Succeeded() string { return string(f) + "Succeeded" }

// Failed is the event type written with the error and cause.
func (f EventFamily) Failed() string { return string(f) + "Failed" }

// TimedOut is the event type written when TimeoutSeconds elapsed.
func (f EventFamily) TimedOut() string { return string(f) + "TimedOut" }
