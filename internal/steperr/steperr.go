// Package steperr holds the errors a saga step returns to Step Functions.
//
// aws-lambda-go reports a returned error's Go type name as its errorType, and that
// string is what the state machine's Retry and Catch match. So each type here is named
// for the Step Functions error it must produce; renaming one changes the contract with
// statemachine/fare_collection.asl.json (a test keeps the two in step). Handlers return
// these types themselves, never wrapped: a wrapped error would surface as "wrapError".
//
// Messages name fields and states, never values that could be card data.
package steperr

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// InvalidFareInput: the execution input is not a fare we accept. Permanent; nothing
// has been written when it is returned.
type InvalidFareInput struct{ Problems []string }

func (e *InvalidFareInput) Error() string {
	return "invalid fare input: " + strings.Join(e.Problems, "; ")
}

// FareConflict: the fareId already belongs to a different fare. Permanent.
type FareConflict struct{ FareID, Reason string }

func (e *FareConflict) Error() string {
	return fmt.Sprintf("fare %s conflicts with an existing fare: %s", e.FareID, e.Reason)
}

// FareAlreadyCompensated: a step arrived after its own compensation (a late retry or a
// slow invocation) and did nothing. Permanent.
type FareAlreadyCompensated struct{ FareID, Step string }

func (e *FareAlreadyCompensated) Error() string {
	return fmt.Sprintf("fare %s was already compensated; %s did nothing", e.FareID, e.Step)
}

// PaymentDeclined: the gateway refused the pre-authorisation. Permanent.
type PaymentDeclined struct{ Reason string }

func (e *PaymentDeclined) Error() string { return "payment declined: " + e.Reason }

// CaptureDeclined: the gateway refused to capture the pre-authorisation. Permanent.
type CaptureDeclined struct{ Reason string }

func (e *CaptureDeclined) Error() string { return "capture declined: " + e.Reason }

// PaymentNotAuthorized: a capture was asked for a fare without a pre-authorisation.
type PaymentNotAuthorized struct{ FareID string }

func (e *PaymentNotAuthorized) Error() string {
	return fmt.Sprintf("fare %s has no pre-authorisation to capture", e.FareID)
}

// GatewayRejected: the gateway refused an operation as invalid (an idempotency key
// reused for a different request, a void of a captured authorisation...). Permanent.
type GatewayRejected struct{ Operation, Reason string }

func (e *GatewayRejected) Error() string {
	return fmt.Sprintf("gateway rejected %s: %s", e.Operation, e.Reason)
}

// GatewayUnavailable: the gateway did not answer, or answered that it is unavailable.
// Transient: the step is retried, and idempotency keys make the retry safe.
type GatewayUnavailable struct{ Operation string }

func (e *GatewayUnavailable) Error() string {
	return fmt.Sprintf("payment gateway unavailable during %s", e.Operation)
}

// Throttled: DynamoDB throttled the request after the SDK's own retries. Transient.
type Throttled struct{ Operation string }

func (e *Throttled) Error() string { return fmt.Sprintf("throttled during %s", e.Operation) }

// InjectedFailure: a fault-injection switch made the step fail (dev stage only).
type InjectedFailure struct{ Switch string }

func (e *InjectedFailure) Error() string {
	return fmt.Sprintf("injected failure (switch %s)", e.Switch)
}

// UnexpectedError: anything else, such as a DynamoDB validation error. Not retried by
// forward steps (the saga compensates), retried by compensations like everything else.
type UnexpectedError struct{ Operation, Detail string }

func (e *UnexpectedError) Error() string {
	return fmt.Sprintf("unexpected error during %s: %s", e.Operation, e.Detail)
}

// Transient lists the errors the forward steps retry. The state machine's forward
// Retry must name exactly these (plus Lambda's own service errors).
func Transient() []error {
	return []error{&GatewayUnavailable{}, &Throttled{}}
}

// All lists every error type a step may return.
func All() []error {
	return append(Transient(),
		&InvalidFareInput{}, &FareConflict{}, &FareAlreadyCompensated{},
		&PaymentDeclined{}, &CaptureDeclined{}, &PaymentNotAuthorized{},
		&GatewayRejected{}, &InjectedFailure{}, &UnexpectedError{})
}

// Name is the Step Functions error name of err, computed the way aws-lambda-go does.
func Name(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// ForStepFunctions turns any error into one of the types above, unwrapped, so that
// Step Functions sees a deliberate name. Known types found anywhere in the chain win;
// DynamoDB throttling becomes Throttled; the rest becomes UnexpectedError.
func ForStepFunctions(operation string, err error) error {
	if err == nil {
		return nil
	}
	for _, known := range All() {
		target := reflect.New(reflect.TypeOf(known))
		if errors.As(err, target.Interface()) {
			return target.Elem().Interface().(error)
		}
	}
	if IsThrottling(err) {
		return &Throttled{Operation: operation}
	}
	return &UnexpectedError{Operation: operation, Detail: err.Error()}
}

// IsThrottling reports whether err is DynamoDB telling us to slow down.
func IsThrottling(err error) bool {
	var throughput *types.ProvisionedThroughputExceededException
	var limit *types.RequestLimitExceeded
	var throttling *types.ThrottlingException
	if errors.As(err, &throughput) || errors.As(err, &limit) || errors.As(err, &throttling) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ThrottlingException"
}
