// Package failure is the error of a Step Functions execution: a name that Retry and Catch
// match on (States.Runtime, Lambda.Unknown, a function's own error type...) and a cause.
// Every part of the engine reports failures of the running machine with this type, so
// the interpreter can route them without knowing where they came from.
package failure

import (
	"errors"
	"fmt"
)

// Names defined by the Amazon States Language and by AWS.
const (
	All                    = "States.ALL"
	DataLimitExceeded      = "States.DataLimitExceeded"
	ExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	HeartbeatTimeout       = "States.HeartbeatTimeout"
	IntrinsicFailure       = "States.IntrinsicFailure"
	ItemReaderFailed       = "States.ItemReaderFailed"
	NoChoiceMatched        = "States.NoChoiceMatched"
	ParameterPathFailure   = "States.ParameterPathFailure"
	Permissions            = "States.Permissions"
	QueryEvaluationError   = "States.QueryEvaluationError"
	ResultPathMatchFailure = "States.ResultPathMatchFailure"
	ResultWriterFailed     = "States.ResultWriterFailed"
	Runtime                = "States.Runtime"
	TaskFailed             = "States.TaskFailed"
	Timeout                = "States.Timeout"
	BranchFailed           = "States.BranchFailed"
)

// Error is a failure with a Step Functions error name and cause.
type Error struct {
	Name  string
	Cause string
}

func (e *Error) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

// New returns a failure named name, its cause formatted like fmt.Sprintf.
func New(name, format string, args ...any) *Error {
	return &Error{Name: name, Cause: fmt.Sprintf(format, args...)}
}

// As returns err as a failure; anything that is not one becomes States.Runtime, since
// an error the engine did not name is the engine failing to run the machine.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	if f, ok := err.(*Error); ok { // most are, unwrapped: no errors.As, whose target escapes
		return f
	}
	var f *Error
	if errors.As(err, &f) {
		return f
	}
	return &Error{Name: Runtime, Cause: err.Error()}
}
