package task

import (
	"encoding/json"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// resultFor turns a mocked response into the Task's result for resource. For a Lambda
// function ARN, Return is Lambda's Invoke response and the result is its Payload; for
// lambda:invoke and every other integration the result is Return itself. A Lambda
// Invoke response with a FunctionError fails like the function error it records.
func (m MockResponse) resultFor(resource Resource) (any, error) {
	if m.Throw != nil {
		return nil, &failure.Error{Name: m.Throw.Error, Cause: m.Throw.Cause}
	}
	result := cloneJSON(m.Return) // the interpreter may merge into the result: keep the mock intact
	if resource.Kind != KindLambdaFunction && resource.Kind != KindLambdaInvoke {
		return result, nil
	}
	response, _ := result.(map[string]any)
	if functionError, _ := response["FunctionError"].(string); functionError != "" {
		return nil, mockedFunctionFailure(response["Payload"])
	}
	if resource.Kind == KindLambdaFunction {
		return response["Payload"], nil
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

// cloneJSON deep-copies a value made of JSON maps and slices.
func cloneJSON(v any) any {
	switch value := v.(type) {
	case map[string]any:
		clone := make(map[string]any, len(value))
		for k, item := range value {
			clone[k] = cloneJSON(item)
		}
		return clone
	case []any:
		clone := make([]any, len(value))
		for i, item := range value {
			clone[i] = cloneJSON(item)
		}
		return clone
	}
	return v
}
