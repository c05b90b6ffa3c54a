package api

import (
	"fmt"
	"net/http"
)

// apiError is an error the way Step Functions reports it: an HTTP status and a body of
// {"__type": Code, "message": Message}. The SDKs pick the error type from Code.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// clientError is a 400 with code; the message is formatted like AWS's, which quote the
// offending value: "State Machine Does Not Exist: 'arn:...'".
func clientError(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// The error codes of the Step Functions API this server returns.
const (
	codeExecutionAlreadyExists     = "ExecutionAlreadyExists"
	codeExecutionDoesNotExist      = "ExecutionDoesNotExist"
	codeExecutionNotRedrivable     = "ExecutionNotRedrivable"
	codeInvalidArn                 = "InvalidArn"
	codeInvalidDefinition          = "InvalidDefinition"
	codeInvalidExecutionInput      = "InvalidExecutionInput"
	codeInvalidName                = "InvalidName"
	codeInvalidOutput              = "InvalidOutput"
	codeInvalidToken               = "InvalidToken"
	codeResourceNotFound           = "ResourceNotFound"
	codeStateMachineAlreadyExists  = "StateMachineAlreadyExists"
	codeStateMachineDoesNotExist   = "StateMachineDoesNotExist"
	codeStateMachineTypeNotSupport = "StateMachineTypeNotSupported"
	codeTaskTimedOut               = "TaskTimedOut"
	codeValidation                 = "ValidationException"
	codeConflict                   = "ConflictException"
	codeTooManyTags                = "TooManyTags"
	codeActivityDoesNotExist       = "ActivityDoesNotExist"
	codeMissingRequiredParameter   = "MissingRequiredParameter"
	// Errors of the JSON protocol itself, as AWS's front end names them.
	codeSerialization    = "SerializationException"
	codeUnknownOperation = "UnknownOperationException"
	codeTooLarge         = "RequestEntityTooLargeException"
	codeInternalFailure  = "InternalFailure"
)

// internalError is a 500: a failure of this server, not of the request.
func internalError(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternalFailure, Message: fmt.Sprintf(format, args...)}
}

func stateMachineDoesNotExist(arn string) *apiError {
	return clientError(codeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
}

func executionDoesNotExist(arn string) *apiError {
	return clientError(codeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
}

func invalidArn(reason string) *apiError {
	return clientError(codeInvalidArn, "Invalid Arn: '%s'", reason)
}

func invalidNextToken() *apiError {
	return clientError(codeInvalidToken, "Invalid Token: 'Invalid nextToken'")
}

// validationError is the message AWS's front end gives when a member breaks its
// model's constraint, before the service sees the request.
func validationError(member string, value any, constraint string) *apiError {
	return clientError(codeValidation, "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func missingMember(member string) *apiError {
	return clientError(codeValidation, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}
