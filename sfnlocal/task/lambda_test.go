package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

const (
	functionARN  = "arn:aws:lambda:us-east-1:000000000000:function:"
	lambdaInvoke = "arn:aws:states:::lambda:invoke"
)

// GatewayUnavailable is a typed error as a saga's handler returns it.
type GatewayUnavailable struct{ Gateway string }

func (e *GatewayUnavailable) Error() string { return e.Gateway + " is unavailable" }

type fareEvent struct {
	FareID string  `json:"fareId"`
	Amount float64 `json:"amount"`
}

func newTestRegistry(t testing.TB) (*Registry, *Functions) {
	t.Helper()
	functions := NewFunctions(testEnv())
	functions.RegisterFunction("echo", func(_ context.Context, event any) (any, error) { return event, nil })
	functions.RegisterFunction("charge", func(event fareEvent) (map[string]any, error) {
		return map[string]any{"charged": event.FareID, "amount": event.Amount}, nil
	})
	functions.RegisterFunction("typed-error", func() error { return &GatewayUnavailable{Gateway: "stripe"} })
	functions.RegisterFunction("plain-error", func() error { return errors.New("boom") })
	functions.RegisterFunction("wrapped-error", func() error { return fmt.Errorf("charge: %w", &GatewayUnavailable{Gateway: "stripe"}) })
	functions.RegisterFunction("runtime-error", func() error {
		return messages.InvokeResponse_Error{Type: "Custom.Error", Message: "as the runtime sends it"}
	})
	functions.RegisterFunction("panics", func() error { panic("kaboom") })
	functions.RegisterFunction("waits", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	functions.RegisterFunction("request-id", func(ctx context.Context) (string, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		return lc.AwsRequestID + " " + lc.InvokedFunctionArn, nil
	})
	registry := NewRegistry()
	registry.UseFunctions(functions)
	return registry, functions
}

func TestLambdaFunctionResourceResults(t *testing.T) {
	tests := []struct {
		name      string
		function  string
		arguments any
		want      any
	}{
		{"an object", "echo", map[string]any{"a": []any{1.0, "x"}}, map[string]any{"a": []any{1.0, "x"}}},
		{"a string", "echo", "HelloWorld", "HelloWorld"},
		{"a number", "echo", 0.0, 0.0},
		{"null", "echo", nil, nil},
		{"a typed event", "charge", map[string]any{"fareId": "f1", "amount": 12.5, "extra": true},
			map[string]any{"charged": "f1", "amount": 12.5}},
		{"the Lambda context", "request-id", nil, id(1) + " " + functionARN + "request-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registry, _ := newTestRegistry(t) // fresh ids for every case
			got, err := invokePlain(registry, context.Background(), Request{Resource: functionARN + tt.function, Arguments: tt.arguments})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLambdaFunctionErrors(t *testing.T) {
	tests := []struct {
		name      string
		function  string
		arguments any
		want      *failure.Error
	}{
		{"a typed error is named after its type", "typed-error", nil, &failure.Error{Name: "GatewayUnavailable",
			Cause: `{"errorMessage":"stripe is unavailable","errorType":"GatewayUnavailable"}`}},
		{"errors.New gives errorString", "plain-error", nil, &failure.Error{Name: "errorString",
			Cause: `{"errorMessage":"boom","errorType":"errorString"}`}},
		{"a wrapped error is a wrapError", "wrapped-error", nil, &failure.Error{Name: "wrapError",
			Cause: `{"errorMessage":"charge: stripe is unavailable","errorType":"wrapError"}`}},
		{"a runtime error keeps its own type", "runtime-error", nil, &failure.Error{Name: "Custom.Error",
			Cause: `{"errorMessage":"as the runtime sends it","errorType":"Custom.Error"}`}},
		{"an event that does not decode", "charge", map[string]any{"amount": "twelve"}, &failure.Error{Name: "UnmarshalTypeError",
			Cause: `{"errorMessage":"json: cannot unmarshal string into Go struct field fareEvent.amount of type float64","errorType":"UnmarshalTypeError"}`}},
		{"a function that does not exist", "missing", nil, &failure.Error{Name: "Lambda.ResourceNotFoundException",
			Cause: "Function not found: " + functionARN + "missing:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: " + id(1) + "; Proxy: null)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registry, _ := newTestRegistry(t) // fresh ids for every case
			_, err := invokePlain(registry, context.Background(), Request{Resource: functionARN + tt.function, Arguments: tt.arguments})
			assert.Equal(t, tt.want, err)
		})
	}
}

func TestLambdaPanicIsReportedLikeTheGoRuntime(t *testing.T) {
	registry, _ := newTestRegistry(t)
	_, err := invokePlain(registry, context.Background(), Request{Resource: functionARN + "panics"})
	f := failure.As(err)
	require.Equal(t, "string", f.Name, "a panic is named after the panic value's type")
	var cause messages.InvokeResponse_Error
	require.NoError(t, json.Unmarshal([]byte(f.Cause), &cause))
	assert.Equal(t, "kaboom", cause.Message)
	assert.Equal(t, "string", cause.Type)
	require.NotEmpty(t, cause.StackTrace)
	var labels []string
	for _, frame := range cause.StackTrace {
		labels = append(labels, frame.Label)
	}
	assert.Contains(t, labels, "newTestRegistry.func7", "the stack shows the handler that panicked")
}

func TestLambdaTimeout(t *testing.T) {
	registry, _ := newTestRegistry(t)
	started := time.Now()
	_, err := invokePlain(registry, context.Background(), Request{Resource: functionARN + "waits", Timeout: 20 * time.Millisecond})
	assert.Equal(t, &failure.Error{Name: failure.Timeout}, err)
	assert.Less(t, time.Since(started), 5*time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = invokePlain(registry, ctx, Request{Resource: functionARN + "waits", Timeout: time.Minute})
	assert.ErrorIs(t, err, context.Canceled, "a stopped execution is not a Task timeout")
}

func TestLambdaInvokeResult(t *testing.T) {
	registry, _ := newTestRegistry(t)
	got, err := invokePlain(registry, context.Background(), Request{Resource: lambdaInvoke,
		Arguments: map[string]any{"FunctionName": "echo", "Payload": map[string]any{"body": "string body"}}})
	require.NoError(t, err)
	requestID := id(1)
	assert.Equal(t, map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         map[string]any{"body": "string body"},
		"StatusCode":      200.0,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{
				"Connection": []any{"keep-alive"}, "Content-Length": []any{"22"}, "Content-Type": []any{"application/json"},
				"Date": []any{"Tue, 04 Mar 2025 05:06:07 GMT"}, "X-Amz-Executed-Version": []any{"$LATEST"},
				"x-amzn-Remapped-Content-Length": []any{"0"}, "x-amzn-RequestId": []any{requestID},
				"X-Amzn-Trace-Id": []any{"Root=1-67c68a3f-000040008000000000000001;Sampled=0"},
			},
			"HttpHeaders": map[string]any{
				"Connection": "keep-alive", "Content-Length": "22", "Content-Type": "application/json",
				"Date": "Tue, 04 Mar 2025 05:06:07 GMT", "X-Amz-Executed-Version": "$LATEST",
				"x-amzn-Remapped-Content-Length": "0", "x-amzn-RequestId": requestID,
				"X-Amzn-Trace-Id": "Root=1-67c68a3f-000040008000000000000001;Sampled=0",
			},
			"HttpStatusCode": 200.0,
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
	}, got)
}

func TestLambdaInvokePayloadAndNames(t *testing.T) {
	tests := []struct {
		name      string
		arguments map[string]any
		payload   any
		version   string
	}{
		{"a string holding JSON is sent as that JSON", map[string]any{"FunctionName": "echo", "Payload": "0"}, 0.0, "$LATEST"},
		{"a JSON string literal", map[string]any{"FunctionName": "echo", "Payload": `"HelloWorld"`}, "HelloWorld", "$LATEST"},
		{"a string that is not JSON is sent as a string", map[string]any{"FunctionName": "echo", "Payload": "Hello"}, "Hello", "$LATEST"},
		{"no payload is {}", map[string]any{"FunctionName": "echo"}, map[string]any{}, "$LATEST"},
		{"a null payload is {}", map[string]any{"FunctionName": "echo", "Payload": nil}, map[string]any{}, "$LATEST"},
		{"by ARN", map[string]any{"FunctionName": functionARN + "echo", "Payload": 1.0}, 1.0, "$LATEST"},
		{"by partial ARN", map[string]any{"FunctionName": "000000000000:function:echo", "Payload": 1.0}, 1.0, "$LATEST"},
		{"by qualified ARN", map[string]any{"FunctionName": functionARN + "echo:$LATEST", "Payload": 1.0}, 1.0, "$LATEST"},
		{"with a Qualifier", map[string]any{"FunctionName": "echo", "Qualifier": "3", "Payload": 1.0}, 1.0, "3"},
		{"with an alias", map[string]any{"FunctionName": "echo:live", "Payload": 1.0}, 1.0, "$LATEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registry, _ := newTestRegistry(t)
			got, err := invokePlain(registry, context.Background(), Request{Resource: lambdaInvoke, Arguments: tt.arguments})
			require.NoError(t, err)
			result := got.(map[string]any)
			assert.Equal(t, tt.payload, result["Payload"])
			assert.Equal(t, tt.version, result["ExecutedVersion"])
		})
	}
}

func TestLambdaInvokeFailures(t *testing.T) {
	tests := []struct {
		name      string
		arguments any
		want      *failure.Error
	}{
		{"a function error", map[string]any{"FunctionName": "typed-error"}, &failure.Error{Name: "GatewayUnavailable",
			Cause: `{"errorMessage":"stripe is unavailable","errorType":"GatewayUnavailable"}`}},
		{"no such function", map[string]any{"FunctionName": "no_such_lambda_function_name"}, &failure.Error{Name: "Lambda.ResourceNotFoundException",
			Cause: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no_such_lambda_function_name:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: " + id(1) + "; Proxy: null)"}},
		{"no FunctionName", map[string]any{"Payload": 1.0}, &failure.Error{Name: failure.Runtime,
			Cause: `The field "FunctionName" is required but was missing`}},
		{"an unknown field", map[string]any{"FunctionName": "echo", "Paylod": 1.0}, &failure.Error{Name: failure.Runtime,
			Cause: `The field "Paylod" is not supported by Step Functions`}},
		{"arguments that are not an object", "echo", &failure.Error{Name: failure.Runtime,
			Cause: "The Task arguments must be a JSON object, not a STRING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registry, _ := newTestRegistry(t)
			_, err := invokePlain(registry, context.Background(), Request{Resource: lambdaInvoke, Arguments: tt.arguments})
			assert.Equal(t, tt.want, err)
		})
	}
}

func TestFunctionRegistrationMatching(t *testing.T) {
	functions := NewFunctions(testEnv())
	answer := func(s string) func() (string, error) { return func() (string, error) { return s, nil } }
	functions.RegisterFunction("any-region", answer("by name"))
	functions.RegisterFunction("arn:aws:lambda:eu-west-1:123456789012:function:pinned", answer("pinned"))
	functions.RegisterFunction("versions", answer("every version"))
	functions.RegisterFunction("versions:live", answer("live alias"))
	functions.RegisterFunction("replaced", answer("old"))
	functions.RegisterFunction("replaced", answer("new"))
	tests := []struct{ functionName, want string }{
		{"any-region", "by name"},
		{"arn:aws:lambda:ap-south-1:999999999999:function:any-region", "by name"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:pinned", "pinned"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:pinned:$LATEST", "pinned"},
		{"pinned", ""}, // another region and account: not found
		{"versions", "every version"},
		{"versions:live", "live alias"},
		{"versions:2", "every version"},
		{"replaced", "new"},
	}
	for _, tt := range tests {
		t.Run(tt.functionName, func(t *testing.T) {
			got, err := invokePlain(functions, context.Background(), Request{Resource: lambdaInvoke, Arguments: map[string]any{"FunctionName": tt.functionName}})
			if tt.want == "" {
				assert.Equal(t, "Lambda.ResourceNotFoundException", failure.As(err).Name)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.(map[string]any)["Payload"])
		})
	}
	assert.Panics(t, func() { functions.RegisterFunction("not a name", answer("")) })
}

func TestConcurrentInvocationsKeepTheirOwnPayloads(t *testing.T) {
	registry, _ := newTestRegistry(t)
	const n = 64
	errs := make(chan error, n)
	for i := range n {
		go func() {
			event := map[string]any{"i": float64(i), "padding": fmt.Sprintf("%0*d", i, 0)}
			got, err := invokePlain(registry, context.Background(), Request{Resource: functionARN + "echo", Arguments: event})
			if err == nil && !assert.ObjectsAreEqual(event, got) {
				err = fmt.Errorf("invocation %d got %v", i, got)
			}
			errs <- err
		}()
	}
	for range n {
		assert.NoError(t, <-errs)
	}
}

func TestTheDeadlineContext(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	ctx := withDeadline(parent, time.Now().Add(20*time.Millisecond))
	deadline, ok := ctx.Deadline()
	assert.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(20*time.Millisecond), deadline, 10*time.Millisecond)
	assert.NoError(t, ctx.Err())
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the deadline never fired")
	}
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
	ctx.release()

	ctx = withDeadline(parent, time.Now().Add(time.Hour))
	cancelParent()
	<-ctx.Done()
	assert.ErrorIs(t, ctx.Err(), context.Canceled, "the parent's end ends it")
	ctx.release()

	ctx = withDeadline(context.Background(), time.Now().Add(time.Hour))
	ctx.release()
	<-ctx.Done() // a handler left running after the call sees the end, as with WithTimeout
	assert.ErrorIs(t, ctx.Err(), context.Canceled)
}
