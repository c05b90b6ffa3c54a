package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

var epoch = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const (
	roleARN   = "arn:aws:iam::000000000000:role/sfn"
	workerARN = "arn:aws:lambda:us-east-1:000000000000:function:worker"
	gateARN   = "arn:aws:lambda:us-east-1:000000000000:function:gate"
	// slowARN's function takes a millisecond: a loop around it runs for seconds.
	slowARN = "arn:aws:lambda:us-east-1:000000000000:function:slow"

	passMachine   = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	workerMachine = `{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"` + workerARN + `","End":true}}}`
	// gateMachine's task runs until the test opens the gate or the execution stops:
	// an execution that stays RUNNING as long as a test needs.
	gateMachine = `{"StartAt":"Gate","States":{"Gate":{"Type":"Task","Resource":"` + gateARN + `","End":true}}}`
	failMachine = `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken","Cause":"on purpose"}}}`
)

// fixture is a server on a virtual clock, behind httptest, with an SDK client for it.
type fixture struct {
	client *sfn.Client
	server *Server
	// gate releases the gate machine's tasks when closed.
	gate     chan struct{}
	registry *task.Registry
}

type fixtureOption func(*Options)

func withMaxFinished(n int) fixtureOption { return func(o *Options) { o.MaxFinishedExecutions = n } }

func withMocks(m *task.MockConfig) fixtureOption { return func(o *Options) { o.Mocks = m } }

func newFixture(t testing.TB, options ...fixtureOption) *fixture {
	t.Helper()
	f := &fixture{gate: make(chan struct{})}
	functions := task.NewFunctions(task.Env{})
	functions.RegisterFunction(workerARN, func(_ context.Context, in map[string]any) (map[string]any, error) {
		return map[string]any{"worked": true, "in": in}, nil
	})
	functions.RegisterFunction(slowARN, func(ctx context.Context, in map[string]any) (map[string]any, error) {
		select {
		case <-time.After(time.Millisecond):
			return in, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	functions.RegisterFunction(gateARN, func(ctx context.Context, in map[string]any) (map[string]any, error) {
		select {
		case <-f.gate:
			return in, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	f.registry = task.NewRegistry()
	f.registry.UseFunctions(functions)
	opts := Options{Engine: engine.New(engine.Options{Clock: clock.NewVirtual(epoch), Tasks: f.registry, Seed: 1})}
	for _, option := range options {
		option(&opts)
	}
	if opts.Mocks != nil {
		f.registry.UseMocks(opts.Mocks)
	}
	f.server = NewServer(opts)
	httpServer := httptest.NewServer(f.server)
	t.Cleanup(func() {
		f.server.Close()
		httpServer.Close()
	})
	f.client = sfn.New(sfn.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(httpServer.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
		APIOptions:       []func(*middleware.Stack) error{disableHostPrefix},
	})
	return f
}

// disableHostPrefix stops the SDK prefixing the host with "sync-" for
// StartSyncExecution, which a local endpoint such as 127.0.0.1 cannot resolve.
func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("DisableHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

func (f *fixture) createMachine(t testing.TB, name, definition string, machineType types.StateMachineType) string {
	t.Helper()
	out, err := f.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(roleARN), Type: machineType,
	})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

func (f *fixture) start(t testing.TB, machineARN, name, input string) string {
	t.Helper()
	in := &sfn.StartExecutionInput{StateMachineArn: aws.String(machineARN)}
	if name != "" {
		in.Name = aws.String(name)
	}
	if input != "" {
		in.Input = aws.String(input)
	}
	out, err := f.client.StartExecution(context.Background(), in)
	require.NoError(t, err)
	return aws.ToString(out.ExecutionArn)
}

// waitDone polls DescribeExecution until the execution has finished.
func (f *fixture) waitDone(t testing.TB, executionARN string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := f.client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
		require.NoError(t, err)
		if out.Status != types.ExecutionStatusRunning {
			return out
		}
		require.True(t, time.Now().Before(deadline), "execution %s is still running", executionARN)
		time.Sleep(time.Millisecond)
	}
}

// waitTaskStarted waits until an execution's Lambda task has started, so a test acts
// on an execution that is truly busy.
func (f *fixture) waitTaskStarted(t *testing.T, executionARN string) {
	t.Helper()
	x, ok := f.server.store.execution(executionARN)
	require.True(t, ok)
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, e := range x.History.Events() {
			if e.Type == "LambdaFunctionStarted" {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "the task never started")
		select {
		case <-x.History.Changed():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// assertAPIError checks that err is the API error code, with a message containing each
// of parts.
func assertAPIError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	var apiErr smithy.APIError
	require.True(t, errors.As(err, &apiErr), "want %s, got %v", code, err)
	assert.Equal(t, code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	for _, part := range parts {
		assert.Contains(t, apiErr.ErrorMessage(), part)
	}
}

// retryingClient is the fixture's client with the SDK's default 3 attempts, for tests
// that move hundreds of megabytes: on a loaded machine a connection was seen to end
// mid-response there ("use of closed network connection", on the client's side).
func (f *fixture) retryingClient() *sfn.Client {
	return sfn.New(f.client.Options(), func(o *sfn.Options) { o.RetryMaxAttempts = 3 })
}
