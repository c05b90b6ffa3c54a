package task

import (
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// lambdaUnknown is the error name for a function error without an errorType.
const lambdaUnknown = "Lambda.Unknown"

// errorTypeName is the errorType aws-lambda-go reports for a returned error or a
// panic value: the name of its type, or of the pointed-to type for a pointer.
func errorTypeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// errorResponse is the error payload aws-lambda-go's runtime loop reports for an
// error a handler returned. An InvokeResponse_Error passes through with its own type.
func errorResponse(err error) messages.InvokeResponse_Error {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive
	}
	return messages.InvokeResponse_Error{Message: err.Error(), Type: errorTypeName(err)}
}

// panicResponse is the error payload aws-lambda-go reports for a handler that
// panicked: the value printed with %v, its type name, and the stack where it panicked.
// It must be called from the deferred function that recovered.
func panicResponse(value any) messages.InvokeResponse_Error {
	if ive, ok := value.(messages.InvokeResponse_Error); ok {
		return ive
	}
	return messages.InvokeResponse_Error{
		Message:    fmt.Sprintf("%v", value),
		Type:       errorTypeName(value),
		StackTrace: panicStack(),
	}
}

// panicStack lists the frames from the panic down, shortened the way aws-lambda-go
// shortens them: path from the package directory on, function without its package.
func panicStack() []*messages.InvokeResponse_Error_StackFrame {
	pcs := make([]uintptr, 32)
	const hidden = 3 // runtime.Callers, panicStack, panicResponse
	pcs = pcs[:runtime.Callers(hidden, pcs)]
	stack := make([]*messages.InvokeResponse_Error_StackFrame, 0, len(pcs))
	frames := runtime.CallersFrames(pcs)
	for {
		frame, more := frames.Next()
		stack = append(stack, &messages.InvokeResponse_Error_StackFrame{
			Path:  shortFramePath(frame.File, frame.Function),
			Line:  int32(frame.Line),
			Label: shortFunctionName(frame.Function),
		})
		if !more {
			return stack
		}
	}
}

// shortFramePath keeps as many trailing path elements as the function's import path
// has, plus the file: /home/u/go/src/pkg/sub/file.go for pkg/sub.F gives pkg/sub/file.go.
func shortFramePath(path, function string) string {
	i := len(path)
	for n := strings.Count(function, "/") + 2; n > 0; n-- {
		if i = strings.LastIndex(path[:i], "/"); i < 0 {
			break
		}
	}
	return path[i+1:]
}

// shortFunctionName drops the import path and package: pkg/sub.Type.Method gives Type.Method.
func shortFunctionName(function string) string {
	name := function[strings.LastIndex(function, "/")+1:]
	return name[strings.Index(name, ".")+1:]
}

// functionFailure is the failure Step Functions reports for a function error: the
// errorType names it and the error payload, as the runtime serialised it, is the cause.
func functionFailure(ive messages.InvokeResponse_Error) *failure.Error {
	cause, err := json.Marshal(ive)
	if err != nil { // a stack frame cannot fail to marshal; keep the message regardless
		cause = []byte(ive.Message)
	}
	name := ive.Type
	if name == "" {
		name = lambdaUnknown
	}
	return &failure.Error{Name: name, Cause: string(cause)}
}
