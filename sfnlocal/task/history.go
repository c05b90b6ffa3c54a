package task

// EventFamily names the history events a Task's invocation writes. AWS uses
// LambdaFunction* events for a Lambda function ARN resource and Task* events (with a
// resourceType and resource) for service integrations, lambda:invoke included.
type EventFamily string

// The two families of Task invocation events.
const (
	LambdaFunctionEvents EventFamily = "LambdaFunction"
	TaskEvents           EventFamily = "Task"
	ActivityEvents       EventFamily = "Activity"
)

// pick returns the family's name of an event: constants, not concatenations, since
// every invocation writes several.
func (f EventFamily) pick(lambda, task, activity string) string {
	switch f {
	case LambdaFunctionEvents:
		return lambda
	case ActivityEvents:
		return activity
	}
	return task
}

// Scheduled is the event type written before the invocation.
func (f EventFamily) Scheduled() string {
	return f.pick("LambdaFunctionScheduled", "TaskScheduled", "ActivityScheduled")
}

// Started is the event type written when the invocation starts.
func (f EventFamily) Started() string {
	return f.pick("LambdaFunctionStarted", "TaskStarted", "ActivityStarted")
}

// StartFailed is the event type written when the invocation could not start.
func (f EventFamily) StartFailed() string {
	return f.pick("LambdaFunctionStartFailed", "TaskStartFailed", "ActivityScheduleFailed")
}

// Succeeded is the event type written with the result.
func (f EventFamily) Succeeded() string {
	return f.pick("LambdaFunctionSucceeded", "TaskSucceeded", "ActivitySucceeded")
}

// Failed is the event type written with the error and cause.
func (f EventFamily) Failed() string {
	return f.pick("LambdaFunctionFailed", "TaskFailed", "ActivityFailed")
}

// TimedOut is the event type written when TimeoutSeconds elapsed.
func (f EventFamily) TimedOut() string {
	return f.pick("LambdaFunctionTimedOut", "TaskTimedOut", "ActivityTimedOut")
}
