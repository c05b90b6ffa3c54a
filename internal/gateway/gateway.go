// Package gateway is the payment gateway as the saga sees it: the Gateway interface,
// its requests, answers and errors. Each adapter lives in a package of its own
// (gateway/simulated, gateway/stripe) and passes the one contract suite in
// gateway/gatewaytest.
package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Gateway is a payment provider. Every call that changes money carries an idempotency
// key: repeating a call with the same key and request returns the first result and has
// no second effect, and reusing a key for a different request is refused
// (*IdempotencyConflict) without an effect.
//
// Idempotency keys are opaque to gateways: any string of 1 to MaxIdempotencyKeyLength
// bytes, chosen by the caller (internal/payment derives them from the fare).
//
// Errors carry steperr types: PaymentDeclined and CaptureDeclined when the issuer says
// no (an expired authorisation is a CaptureDeclined too, as *AuthorizationExpired),
// GatewayRejected (often as *InvalidTransition) when the request is invalid,
// GatewayUnavailable when the gateway cannot be reached or asks us to come back later,
// and Throttled when it limits our rate.
// No error text carries a payment token, card data or a credential.
type Gateway interface {
	PreAuthorize(ctx context.Context, req PreAuthorizeRequest) (Authorization, error)
	Capture(ctx context.Context, req CaptureRequest) (Authorization, error)
	// Void releases an authorisation. Voiding one already released (voided, or expired)
	// is harmless: it returns the authorisation as it is.
	Void(ctx context.Context, req VoidRequest) (Authorization, error)
	Refund(ctx context.Context, req RefundRequest) (Authorization, error)
	// Lookup returns the current state of the authorisation that the request made under
	// idempotencyKey touched, and false when no request under that key took effect.
	// It is how a compensation learns what happened when a response was lost.
	Lookup(ctx context.Context, idempotencyKey string) (Authorization, bool, error)
	// CancelPreAuthorization makes sure that nothing stays authorised under preauthKey:
	// it returns the authorisation a request under that key made (for the caller to
	// release), or, when none was made, makes sure that none can be: a PreAuthorize
	// arriving later with that key is refused (*PreAuthorizationCancelled). Without it,
	// a pre-authorisation delivered late, after its compensation, could leave a hold
	// nobody releases.
	CancelPreAuthorization(ctx context.Context, preauthKey string) (Authorization, bool, error)
}

// MaxIdempotencyKeyLength is the longest idempotency key a gateway accepts (Stripe's
// limit).
const MaxIdempotencyKeyLength = 255

// Operation names, as they appear in gateway errors.
const (
	OpPreAuthorize = "preauthorize"
	OpCapture      = "capture"
	OpVoid         = "void"
	OpRefund       = "refund"
	OpLookup       = "lookup"
	OpCancel       = "cancel"
)

// AuthorizationLifetime is how long an uncaptured authorisation holds the customer's
// funds before the issuer releases it: seven days for most card payments (Stripe's
// default; some schemes allow less). The simulated gateway expires its authorisations
// after it.
const AuthorizationLifetime = 7 * 24 * time.Hour

// Status is where an authorisation stands at the gateway. AUTHORIZED moves to
// CAPTURED, VOIDED or EXPIRED; CAPTURED moves to REFUNDED; the others are final.
type Status string

const (
	StatusAuthorized Status = "AUTHORIZED"
	StatusCaptured   Status = "CAPTURED"
	StatusVoided     Status = "VOIDED"
	StatusRefunded   Status = "REFUNDED"
	// StatusExpired: the authorisation was never captured and the issuer released it.
	StatusExpired Status = "EXPIRED"
)

// Final reports whether the customer is left with neither a hold nor a charge.
func (s Status) Final() bool {
	return s == StatusVoided || s == StatusRefunded || s == StatusExpired
}

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
	// FareID goes with the request as the provider's metadata, so that an operator can
	// find the payment at the provider. Gateways never derive it from the key.
	FareID string
	// PaymentToken is the provider's opaque reference to the payment method. It goes to
	// the gateway and nowhere else.
	PaymentToken string
	Amount       money.Money
}

// CaptureRequest takes Amount (at most the authorised amount, in its currency) from an
// authorisation; the rest of the hold is released.
type CaptureRequest struct {
	IdempotencyKey    string
	FareID            string
	AuthorizationCode string
	Amount            money.Money
}

// VoidRequest releases an authorisation that was not captured.
type VoidRequest struct {
	IdempotencyKey    string
	FareID            string
	AuthorizationCode string
}

// RefundRequest gives back the whole captured amount of an authorisation.
type RefundRequest struct {
	IdempotencyKey    string
	FareID            string
	AuthorizationCode string
}

// CheckKey refuses what no gateway accepts as an idempotency key.
func CheckKey(operation, key string) error {
	switch {
	case key == "":
		return &steperr.GatewayRejected{Operation: operation, Reason: "an idempotency key is required"}
	case len(key) > MaxIdempotencyKeyLength:
		return &steperr.GatewayRejected{Operation: operation,
			Reason: fmt.Sprintf("the idempotency key has %d bytes; at most %d are allowed", len(key), MaxIdempotencyKeyLength)}
	}
	return nil
}

// CheckAmount refuses an amount no gateway can move.
func CheckAmount(operation string, m money.Money) error {
	if m.Amount <= 0 || m.Currency == "" {
		return &steperr.GatewayRejected{Operation: operation, Reason: "amount must be positive and name its currency"}
	}
	return nil
}

// Fingerprint identifies a request's content, so a gateway can tell a replay from a key
// reused for something else. Parts are separated by a byte no part contains. Only the
// hash may be kept, never the parts: one of them is often the payment token.
func Fingerprint(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
