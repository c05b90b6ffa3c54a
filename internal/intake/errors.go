package intake

import (
	"net/http"
)

// Code is what went wrong with a request, as clients read it in the "error" member of
// an error body. Each code has one HTTP status (httpStatus).
type Code string

const (
	// InvalidFareInput: the body is not a fare the saga accepts; nothing was started.
	InvalidFareInput Code = "InvalidFareInput"
	// FareIDTaken: the fareId belongs to a different fare; nothing was started.
	FareIDTaken Code = "FareIdTaken"
	// NotFound: no such route, or no fare under that fareId.
	NotFound Code = "NotFound"
	// MethodNotAllowed: the route exists, not with this method.
	MethodNotAllowed Code = "MethodNotAllowed"
	// UnsupportedMediaType: a body that is not declared as JSON.
	UnsupportedMediaType Code = "UnsupportedMediaType"
	// ServiceUnavailable: Step Functions or DynamoDB failed or throttled; the request can
	// be sent again as it is (a fare submitted twice runs once).
	ServiceUnavailable Code = "ServiceUnavailable"
	// InternalError: a bug of the door's.
	InternalError Code = "InternalError"
)

// httpStatus is the one place where a code becomes an HTTP status.
var httpStatus = map[Code]int{
	InvalidFareInput:     http.StatusBadRequest,
	FareIDTaken:          http.StatusConflict,
	NotFound:             http.StatusNotFound,
	MethodNotAllowed:     http.StatusMethodNotAllowed,
	UnsupportedMediaType: http.StatusUnsupportedMediaType,
	ServiceUnavailable:   http.StatusServiceUnavailable,
	InternalError:        http.StatusInternalServerError,
}

// Error is every error the door answers with. Message and Problems are sent to the
// client, so they never hold a value the client sent: they name fields. Err, the
// underlying failure, is logged and never sent.
type Error struct {
	Code     Code
	Message  string
	Problems []string
	Err      error
	allow    string // the Allow header of a 405
}

func (e *Error) Error() string {
	if e.Err != nil {
		return string(e.Code) + ": " + e.Message + ": " + e.Err.Error()
	}
	return string(e.Code) + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status the error is answered with.
func (e *Error) Status() int {
	if status, ok := httpStatus[e.Code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error    Code     `json:"error"`
	Message  string   `json:"message"`
	Problems []string `json:"problems,omitempty"`
}

func (e *Error) body() ErrorBody {
	return ErrorBody{Error: e.Code, Message: e.Message, Problems: e.Problems}
}

func unavailable(what string, err error) *Error {
	return &Error{Code: ServiceUnavailable, Message: what + " failed; send the request again", Err: err}
}
