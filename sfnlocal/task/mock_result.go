package task

import (
	"encoding/json"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// resultFor turns a mocked response into the Task's result for resource. For a Lambda
// function ARN, Return is Lambda's Invoke response and the result is its Payload; for
// lambda:invoke and every other integration the result is Return itself. A Lambda
// Invoke response with a FunctionError fails like the function error it records.
func (m MockResponse) resultFor(resource Resource) (any, error) {
	if m.Throw != nil {
		return nil, &failure.Error{Name: m.Throw.Error, Cause: m.Throw.Cause}
	}
	result := m.Return // values are never changed in place: the mock stays intact
	if resource.Kind != KindLambdaFunction && resource.Kind != KindLambdaInvoke {
		return result, nil
	}
	response, _ := result.(*jsonvalue.Object)
	payload, _ := response.Get("Payload")
	functionError, _ := response.Get("FunctionError")
	if name, _ := functionError.(string); name != "" {
		return nil, mockedFunctionFailure(payload)
	}
	if resource.Kind == KindLambdaFunction {
		return payload, nil
	}
	return result, nil
}

// mockedFunctionFailure names the failure after the error payload's errorType, with
// the payload as the cause, as for a real function error.
func mockedFunctionFailure(payload any) *failure.Error {
	cause, isText := payload.(string)
	if !isText {
		encoded, _ := marshalJSON(payload) // payload came from JSON: it encodes
		cause = string(encoded)
	}
	var errorPayload struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal([]byte(cause), &errorPayload) // a payload without errorType is Lambda.Unknown
	name := errorPayload.ErrorType
	if name == "" {
		name = lambdaUnknown
	}
	return &failure.Error{Name: name, Cause: cause}
}
