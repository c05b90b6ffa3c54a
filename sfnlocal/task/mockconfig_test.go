package task

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

const retryingMock = `{
  "StateMachines": {
    "Saga": {"TestCases": {
      "RetryPath": {"Charge": "ChargeRetries", "Register": "RegisterOK", "Save": "SaveOK"},
      "HybridPath": {"Register": "RegisterOK"}
    }}
  },
  "MockedResponses": {
    "ChargeRetries": {
      "0": {"Throw": {"Error": "GatewayUnavailable", "Cause": "try again"}},
      "1-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
      "3": {"Return": {"StatusCode": 200, "Payload": {"chargeId": "c1"}}}
    },
    "RegisterOK": {"0": {"Return": {"StatusCode": 200, "Payload": {"fareId": "f1"}, "ExecutedVersion": "$LATEST"}}},
    "SaveOK": {"0": {"Return": {"SdkHttpMetadata": {"HttpStatusCode": 200}}}}
  }
}`

func caller(testCase, state string, invocation int) Caller {
	return Caller{StateMachineName: "Saga", TestCase: testCase, StateName: state, Invocation: invocation}
}

func TestMockConfigResponsesByInvocation(t *testing.T) {
	config, err := ParseMockConfig([]byte(retryingMock))
	require.NoError(t, err)
	assert.True(t, config.HasTestCase("Saga", "RetryPath"))
	assert.False(t, config.HasTestCase("Saga", "NoSuchPath"))
	assert.False(t, config.HasTestCase("Other", "RetryPath"))

	tests := []struct {
		name       string
		caller     Caller
		want       MockResponse
		wantMocked bool
		wantErr    string
	}{
		{"invocation 0", caller("RetryPath", "Charge", 0), MockResponse{Throw: &MockThrow{Error: "GatewayUnavailable", Cause: "try again"}}, true, ""},
		{"start of a range", caller("RetryPath", "Charge", 1), MockResponse{Throw: &MockThrow{Error: "Lambda.TooManyRequestsException", Cause: "slow down"}}, true, ""},
		{"end of a range", caller("RetryPath", "Charge", 2), MockResponse{Throw: &MockThrow{Error: "Lambda.TooManyRequestsException", Cause: "slow down"}}, true, ""},
		{"after the range", caller("RetryPath", "Charge", 3), MockResponse{Return: map[string]any{"StatusCode": 200.0, "Payload": map[string]any{"chargeId": "c1"}}}, true, ""},
		{"past the last response", caller("RetryPath", "Charge", 4), MockResponse{}, true,
			"States.Runtime: No mocked response definition for state 'Charge' and invocation number '4'"},
		{"a state the test case does not list", caller("HybridPath", "Charge", 0), MockResponse{}, false, ""},
		{"an unknown test case", caller("NoSuchPath", "Charge", 0), MockResponse{}, true,
			"States.Runtime: No definitions for test case 'NoSuchPath' and state machine 'Saga' in the mock configuration file."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, mocked, err := config.Response(tt.caller)
			assert.Equal(t, tt.wantMocked, mocked)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			got.Return = jsonvalue.ToGo(got.Return)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMockConfigRefusesInconsistentFiles(t *testing.T) {
	tests := []struct{ name, config, wantErr string }{
		{"not JSON", `{`, "unexpected EOF"},
		{"an unknown field", `{"StateMachines": {}, "MockedResponses": {}, "Extra": 1}`, `unknown field "Extra"`},
		{"both Return and Throw", `{"MockedResponses": {"r": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}`, "both Return and Throw"},
		{"neither Return nor Throw", `{"MockedResponses": {"r": {"0": {}}}}`, "needs Return or Throw"},
		{"a Throw without Error", `{"MockedResponses": {"r": {"0": {"Throw": {"Cause": "c"}}}}}`, "Throw needs an Error"},
		{"a gap", `{"MockedResponses": {"r": {"0": {"Return": 1}, "2": {"Return": 2}}}}`, "expected 1, found 2"},
		{"an overlap", `{"MockedResponses": {"r": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}`, "expected 3, found 2"},
		{"not starting at 0", `{"MockedResponses": {"r": {"1": {"Return": 1}}}}`, "expected 0, found 1"},
		{"a reversed range", `{"MockedResponses": {"r": {"3-1": {"Return": 1}}}}`, `invocation range "3-1"`},
		{"a word", `{"MockedResponses": {"r": {"first": {"Return": 1}}}}`, `invocation range "first"`},
		{"an unknown response", `{"StateMachines": {"m": {"TestCases": {"t": {"s": "missing"}}}}, "MockedResponses": {}}`, `no mocked response "missing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMockConfig([]byte(tt.config))
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestMockedResultsDependOnTheResource(t *testing.T) {
	config, err := ParseMockConfig([]byte(retryingMock))
	require.NoError(t, err)
	registry := NewRegistry()
	registry.UseMocks(config)
	functions := NewFunctions(testEnv())
	functions.RegisterFunction("register", func() (string, error) { return "called for real", nil })
	registry.UseFunctions(functions)

	invoke := func(resource string, c Caller) (any, error) {
		return invokePlain(registry, context.Background(), Request{Resource: resource, Arguments: map[string]any{"FunctionName": "register"}, Caller: c})
	}
	got, err := invoke(functionARN+"register", caller("RetryPath", "Register", 0))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"fareId": "f1"}, got, "a function ARN's result is the mocked Payload")

	got, err = invoke(lambdaInvoke, caller("RetryPath", "Register", 0))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"StatusCode": 200.0, "Payload": map[string]any{"fareId": "f1"}, "ExecutedVersion": "$LATEST"}, got,
		"lambda:invoke's result is Return itself")

	got.(map[string]any)["Payload"] = "changed by the caller"
	again, err := invoke(lambdaInvoke, caller("RetryPath", "Register", 0))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"fareId": "f1"}, again.(map[string]any)["Payload"], "a caller cannot change the mock")

	got, err = invoke("arn:aws:states:::dynamodb:putItem", caller("RetryPath", "Save", 0))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"SdkHttpMetadata": map[string]any{"HttpStatusCode": 200.0}}, got, "a mocked integration needs no backing service")

	_, err = invoke(lambdaInvoke, caller("RetryPath", "Charge", 1))
	assert.Equal(t, &failure.Error{Name: "Lambda.TooManyRequestsException", Cause: "slow down"}, err)

	got, err = invoke(lambdaInvoke, caller("", "Register", 0))
	require.NoError(t, err)
	assert.Equal(t, "called for real", got.(map[string]any)["Payload"], "an execution without a test case is not mocked")

	got, err = invoke(functionARN+"register", caller("HybridPath", "Unlisted", 0))
	require.NoError(t, err)
	assert.Equal(t, "called for real", got, "a state the test case does not list calls its integration")
}

func TestMockedFunctionErrorFailsLikeTheFunction(t *testing.T) {
	config, err := ParseMockConfig([]byte(`{
	  "StateMachines": {"m": {"TestCases": {"t": {"s": "failed"}}}},
	  "MockedResponses": {"failed": {"0": {"Return": {"StatusCode": 200, "FunctionError": "Unhandled",
	    "Payload": {"errorMessage": "no", "errorType": "GatewayUnavailable"}}}}}}`))
	require.NoError(t, err)
	registry := NewRegistry()
	registry.UseMocks(config)
	_, err = invokePlain(registry, context.Background(), Request{Resource: lambdaInvoke,
		Caller: Caller{StateMachineName: "m", TestCase: "t", StateName: "s"}})
	assert.Equal(t, &failure.Error{Name: "GatewayUnavailable", Cause: `{"errorMessage":"no","errorType":"GatewayUnavailable"}`}, err)
}

// TestConformanceMockConfig reads the recorded suite's MockConfigFile: every response
// it defines parses, and every test case answers invocation 0 of each state it lists.
func TestConformanceMockConfig(t *testing.T) {
	const path = "/work/shared/conformance/mockconfig.json"
	config, err := LoadMockConfig(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no conformance mock config at %s", path)
	}
	require.NoError(t, err)
	require.NotEmpty(t, config.testCases)
	for machine, testCases := range config.testCases {
		for testCase, states := range testCases {
			for state := range states {
				_, mocked, err := config.Response(Caller{StateMachineName: machine, TestCase: testCase, StateName: state})
				assert.NoError(t, err, "%s#%s %s", machine, testCase, state)
				assert.True(t, mocked, "%s#%s %s", machine, testCase, state)
			}
		}
	}
	// One recorded case checked end to end: error_handling/004, a lambda:invoke of a
	// function that does not exist.
	_, mocked, err := config.Response(Caller{StateMachineName: "cf-error-handling-e0105723e7eaf892", TestCase: "AwsRecorded", StateName: "Start"})
	require.NoError(t, err)
	require.True(t, mocked)
	registry := NewRegistry()
	registry.UseMocks(config)
	_, err = invokePlain(registry, context.Background(), Request{Resource: lambdaInvoke,
		Caller: Caller{StateMachineName: "cf-error-handling-e0105723e7eaf892", TestCase: "AwsRecorded", StateName: "Start"}})
	assert.Equal(t, "Lambda.ResourceNotFoundException", failure.As(err).Name)
}
