package task

import (
	"context"
	"fmt"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Invoke runs a Task whose resource is a Lambda function ARN (the result is the
// function's response) or arn:aws:states:::lambda:invoke (the result is Lambda's
// Invoke response: Payload, StatusCode, ExecutedVersion and the SDK metadata).
func (f *Functions) Invoke(ctx context.Context, req Request) (any, error) {
	resource, err := ParseResource(req.Resource)
	if err != nil {
		return nil, err
	}
	switch resource.Kind {
	case KindLambdaFunction:
		return f.invokeFunctionResource(ctx, req)
	case KindLambdaInvoke:
		return f.invokeService(ctx, req)
	}
	return nil, failure.New(failure.Runtime, "%s is not a Lambda resource", req.Resource)
}

func (f *Functions) invokeFunctionResource(ctx context.Context, req Request) (any, error) {
	name, err := parseFunctionName(req.Resource)
	if err != nil {
		return nil, failure.New(failure.Runtime, "%v", err)
	}
	payload, err := marshalJSON(req.Arguments)
	if err != nil {
		return nil, err
	}
	result, err := f.invoke(ctx, name, payload)
	if err != nil {
		return nil, err
	}
	return decodePayload(result.payload), nil
}

// lambdaInvokeFields are the lambda:invoke arguments this package runs.
var lambdaInvokeFields = map[string]bool{
	"FunctionName": true, "Payload": true, "Qualifier": true, "InvocationType": true, "LogType": true,
}

func (f *Functions) invokeService(ctx context.Context, req Request) (any, error) {
	args, err := argumentObject(req.Arguments, lambdaInvokeFields)
	if err != nil {
		return nil, err
	}
	functionArg, err := requiredString(args, "FunctionName")
	if err != nil {
		return nil, err
	}
	qualifier, err := optionalString(args, "Qualifier")
	if err != nil {
		return nil, err
	}
	if qualifier != "" {
		functionArg += ":" + qualifier
	}
	if invocationType, _ := optionalString(args, "InvocationType"); invocationType != "" && invocationType != "RequestResponse" {
		return nil, failure.New(failure.Runtime, "sfnlocal runs lambda:invoke with InvocationType RequestResponse only, not %q", invocationType)
	}
	name, err := parseFunctionName(functionArg)
	if err != nil {
		return nil, failure.New(failure.Runtime, "%v", err)
	}
	payloadArg, _ := args.Get("Payload")
	payload, err := lambdaInvokePayload(payloadArg)
	if err != nil {
		return nil, err
	}
	result, err := f.invoke(ctx, name, payload)
	if err != nil {
		return nil, err
	}
	response := jsonvalue.ObjectOf(
		"ExecutedVersion", result.version,
		"Payload", decodePayload(result.payload),
		"StatusCode", float64(200),
	)
	logType, _ := optionalString(args, "LogType")
	tail := logType == "Tail"
	if tail { // no logs are captured in-process: the tail is empty
		response.Set("LogResult", "")
	}
	return withSdkMetadata(response, result.requestID, f.invokeHeaders(result, tail)), nil
}

func (f *Functions) invokeHeaders(result invocation, tail bool) []httpHeader {
	headers := []httpHeader{
		{"Connection", "keep-alive"},
		{"Content-Length", contentLength(result.payload)},
		{"Content-Type", "application/json"},
		{"Date", httpDate(f.env.Now())},
		{"X-Amz-Executed-Version", result.version},
	}
	if tail {
		headers = append(headers, httpHeader{"X-Amz-Log-Result", ""})
	}
	return append(headers,
		httpHeader{"x-amzn-Remapped-Content-Length", "0"},
		httpHeader{"x-amzn-RequestId", result.requestID},
		httpHeader{"X-Amzn-Trace-Id", traceID(f.env, result.requestID)},
	)
}

// traceID is an X-Ray trace header derived from the request id, so it is as
// deterministic as the ids are.
func traceID(env Env, requestID string) string {
	hex := strings.ReplaceAll(requestID, "-", "")
	hex = (strings.Repeat("0", 24) + hex)[len(hex):]
	return fmt.Sprintf("Root=1-%08x-%s;Sampled=0", env.Now().Unix(), hex)
}

// lambdaInvokePayload is the event Step Functions sends for a lambda:invoke Payload: a
// string that is JSON is sent as that JSON text, any other value JSON-encoded, and no
// payload as {}.
func lambdaInvokePayload(payload any) ([]byte, error) {
	switch p := payload.(type) {
	case nil:
		return []byte("{}"), nil
	case string:
		if jsonvalue.Valid([]byte(p)) {
			return []byte(p), nil
		}
	}
	return marshalJSON(payload)
}

// decodePayload reads a function's response as Step Functions does: JSON when it is
// JSON, the text itself otherwise.
func decodePayload(payload []byte) any {
	v, err := jsonvalue.Parse(payload)
	if err != nil {
		return string(payload)
	}
	return v
}
