package payment

import (
	"context"
	"fmt"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Gateway is a payment provider. Every call that changes money carries an idempotency
// key: repeating a call with the same key and request returns the first result and has
// no second effect, and reusing a key for a different request is rejected.
//
// Errors are steperr types: PaymentDeclined and CaptureDeclined when the issuer says no,
// GatewayRejected (often as *InvalidTransition) when the request is invalid, and
// GatewayUnavailable when the gateway cannot be reached.
type Gateway interface {
	PreAuthorize(ctx context.Context, req PreAuthorizeRequest) (Authorization, error)
	Capture(ctx context.Context, req CaptureRequest) (Authorization, error)
	Void(ctx context.Context, req VoidRequest) (Authorization, error)
	Refund(ctx context.Context, req RefundRequest) (Authorization, error)
	// Lookup returns the current state of the authorisation that the request made under
	// idempotencyKey touched, and false when no request under that key took effect.
	// It is how a compensation learns what happened when a response was lost.
	Lookup(ctx context.Context, idempotencyKey string) (Authorization, bool, error)
	// CancelPreAuthorization makes sure that nothing stays authorised under preauthKey:
	// it returns the authorisation a request under that key made (for the caller to
	// release), or, when none was made, records the key as cancelled so that a
	// PreAuthorize arriving later with it is refused. Without it, a pre-authorisation
	// delivered late, after its compensation, could leave a hold nobody releases. Real
	// gateways offer the same by cancelling a payment intent before it is confirmed.
	CancelPreAuthorization(ctx context.Context, preauthKey string) (Authorization, bool, error)
}

// Status is where an authorisation stands at the gateway. AUTHORIZED moves to
// CAPTURED or VOIDED; CAPTURED moves to REFUNDED; VOIDED and REFUNDED are final.
type Status string

const (
	StatusAuthorized Status = "AUTHORIZED"
	StatusCaptured   Status = "CAPTURED"
	StatusVoided     Status = "VOIDED"
	StatusRefunded   Status = "REFUNDED"
)

// final reports whether the customer is left with neither a hold nor a charge.
func (s Status) final() bool { return s == StatusVoided || s == StatusRefunded }

// Authorization is a snapshot of one pre-authorisation at the gateway.
type Authorization struct {
	Code     string      `dynamodbav:"code"`
	Amount   money.Money `dynamodbav:"amount"`   // authorised
	Captured money.Money `dynamodbav:"captured"` // zero until captured
	Status   Status      `dynamodbav:"status"`
	ChargeID string      `dynamodbav:"chargeId,omitempty"`
	VoidID   string      `dynamodbav:"voidId,omitempty"`
	RefundID string      `dynamodbav:"refundId,omitempty"`
}

// PreAuthorizeRequest holds funds on the customer's payment method.
type PreAuthorizeRequest struct {
	IdempotencyKey string
	// PaymentToken is the provider's opaque reference to the payment method. It goes to
	// the gateway and nowhere else.
	PaymentToken string
	Amount       money.Money
}

// CaptureRequest takes Amount (at most the authorised amount) from an authorisation.
type CaptureRequest struct {
	IdempotencyKey    string
	AuthorizationCode string
	Amount            money.Money
}

// VoidRequest releases an authorisation that was not captured.
type VoidRequest struct {
	IdempotencyKey    string
	AuthorizationCode string
}

// RefundRequest gives back the whole captured amount of an authorisation.
type RefundRequest struct {
	IdempotencyKey    string
	AuthorizationCode string
}

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
	return &steperr.GatewayRejected{Operation: "preauthorize", Reason: e.Error()}
}
