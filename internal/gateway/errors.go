package gateway

import (
	"fmt"
	"time"

	"github.com/faresaga/faresaga/internal/steperr"
)

// InvalidTransition is the gateway refusing an operation that the authorisation's
// status does not allow, such as voiding a captured authorisation. It carries the
// authorisation as it is, so the caller learns what happened in between; Step Functions
// sees it as GatewayRejected.
type InvalidTransition struct {
	Operation string
	Current   Authorization
}

func (e *InvalidTransition) Error() string { return e.Unwrap().Error() }

func (e *InvalidTransition) Unwrap() error {
	return &steperr.GatewayRejected{
		Operation: e.Operation,
		Reason:    fmt.Sprintf("authorisation %s is %s", e.Current.Code, e.Current.Status),
	}
}

// PreAuthorizationCancelled: a PreAuthorize arrived under a key already cancelled by
// CancelPreAuthorization; nothing was authorised. For Step Functions it is a
// GatewayRejected.
type PreAuthorizationCancelled struct{ Key string }

func (e *PreAuthorizationCancelled) Error() string {
	return "the pre-authorisation under key " + e.Key + " was cancelled before it was made"
}

func (e *PreAuthorizationCancelled) Unwrap() error {
	return &steperr.GatewayRejected{Operation: OpPreAuthorize, Reason: e.Error()}
}

// IdempotencyConflict: the key was already used for a different request (other
// parameters, or another operation), so the gateway did nothing. Retrying cannot help;
// for Step Functions it is a GatewayRejected, which forward steps do not retry.
type IdempotencyConflict struct {
	Operation, Key string
	// Detail says what differed, when the gateway says so; never a request value.
	Detail string
}

func (e *IdempotencyConflict) Error() string { return e.Unwrap().Error() }

func (e *IdempotencyConflict) Unwrap() error {
	reason := "idempotency key " + e.Key + " was already used for a different request; nothing was done"
	if e.Detail != "" {
		reason += " (" + e.Detail + ")"
	}
	return &steperr.GatewayRejected{Operation: e.Operation, Reason: reason}
}

// AuthorizationExpired: the capture came after the issuer had released the
// authorisation, so nothing was captured and nothing is held. For Step Functions it is
// a CaptureDeclined: the saga compensates, and VoidPreAuthorization finds nothing left
// to void.
type AuthorizationExpired struct {
	Code      string
	ExpiredAt time.Time // zero when the gateway does not say
}

func (e *AuthorizationExpired) Error() string { return e.Unwrap().Error() }

func (e *AuthorizationExpired) Unwrap() error {
	when := ""
	if !e.ExpiredAt.IsZero() {
		when = " at " + e.ExpiredAt.UTC().Format(time.RFC3339)
	}
	return &steperr.CaptureDeclined{Reason: fmt.Sprintf(
		"authorisation %s expired%s, before the capture: nothing was captured and nothing is held", e.Code, when)}
}
