package task

import (
	"context"
	"time"
)

// Integration performs one Task invocation and returns its result, a value as
// encoding/json decodes JSON. Failures are *failure.Error values named as AWS names them.
type Integration interface {
	Invoke(ctx context.Context, req Request) (any, error)
}

// IntegrationFunc adapts a function to Integration.
type IntegrationFunc func(ctx context.Context, req Request) (any, error)

// Invoke calls f.
func (f IntegrationFunc) Invoke(ctx context.Context, req Request) (any, error) { return f(ctx, req) }

// Request is one invocation of a Task state.
type Request struct {
	// Resource is the Task's Resource ARN.
	Resource string
	// Arguments are the evaluated Parameters (JSONPath) or Arguments (JSONata); for a
	// Lambda function ARN they are the function's event.
	Arguments any
	// Timeout is the Task's TimeoutSeconds, zero when it has none. The registry turns it
	// into a context deadline, so an integration only has to honour ctx.
	Timeout time.Duration
	// Heartbeat is the Task's HeartbeatSeconds, zero when it has none. No integration
	// here sends heartbeats; it is carried for callback-style integrations.
	Heartbeat time.Duration
	// Parsed is Resource parsed, when the caller has it (it is used when its ARN is
	// Resource): the registry then does not parse it again.
	Parsed *Resource
	// Scheduled is when the task was scheduled, by the wall clock: the deadline counts
	// from it. Zero means now.
	Scheduled time.Time
	// Caller says which execution and state invoke, for mocked responses.
	Caller Caller
}

// Caller identifies a Task invocation within an execution.
type Caller struct {
	StateMachineName string
	// ExecutionName names the execution: with StateName and Invocation it identifies
	// one invocation, which lets fault injectors decide per invocation, reproducibly.
	ExecutionName string
	// TestCase is the Step Functions Local test case the execution was started with
	// (<stateMachineArn>#<TestCase>), empty for an ordinary execution.
	TestCase  string
	StateName string
	// Invocation counts this state's invocations in the execution from 0, retries
	// included: mocked response "n" answers invocation n.
	Invocation int
}
