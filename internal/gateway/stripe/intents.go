package stripe

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// authorizationOf is the gateway's view of a PaymentIntent, and whether it ever held
// funds. An intent that never did (created, declined, or cancelled before its
// confirmation) has no Status.
func authorizationOf(intent *stripeapi.PaymentIntent) (gateway.Authorization, bool) {
	currency := strings.ToUpper(string(intent.Currency))
	auth := gateway.Authorization{Code: intent.ID, Amount: money.Money{Amount: intent.Amount, Currency: currency}}
	charge := intent.LatestCharge
	switch intent.Status {
	case stripeapi.PaymentIntentStatusRequiresCapture:
		auth.Status = gateway.StatusAuthorized
	case stripeapi.PaymentIntentStatusSucceeded:
		auth.Status = gateway.StatusCaptured
		auth.Captured = money.Money{Amount: intent.AmountReceived, Currency: currency}
		if charge != nil {
			auth.ChargeID = charge.ID
			if charge.AmountRefunded > 0 && charge.AmountRefunded >= charge.AmountCaptured {
				auth.Status, auth.RefundID = gateway.StatusRefunded, refundID(intent)
			}
		}
	case stripeapi.PaymentIntentStatusCanceled:
		switch {
		case intent.CancellationReason == stripeapi.PaymentIntentCancellationReasonAutomatic ||
			intent.CancellationReason == stripeapi.PaymentIntentCancellationReasonExpired:
			auth.Status = gateway.StatusExpired // Stripe released an uncaptured authorisation
		case charge != nil && charge.Status == stripeapi.ChargeStatusSucceeded:
			auth.Status, auth.VoidID = gateway.StatusVoided, intent.ID+"/canceled"
		}
	}
	return auth, auth.Status != ""
}

func refundsOf(intent *stripeapi.PaymentIntent) []*stripeapi.Refund {
	if intent.LatestCharge == nil || intent.LatestCharge.Refunds == nil {
		return nil
	}
	return intent.LatestCharge.Refunds.Data
}

// refundID names the refund of a refunded intent: ours, when one of its refunds is.
func refundID(intent *stripeapi.PaymentIntent) string {
	refunds := refundsOf(intent)
	for _, r := range refunds {
		if r.Metadata[refundKeyField] != "" {
			return r.ID
		}
	}
	if len(refunds) > 0 {
		return refunds[0].ID
	}
	return intent.LatestCharge.ID + "/refunded"
}

// notAuthorized says why a confirmed intent holds nothing.
func notAuthorized(intent *stripeapi.PaymentIntent) error {
	switch intent.Status {
	case stripeapi.PaymentIntentStatusRequiresPaymentMethod:
		reason := "the issuer declined the pre-authorisation"
		if e := intent.LastPaymentError; e != nil {
			reason += " (" + describe(e) + ")"
		}
		return &steperr.PaymentDeclined{Reason: reason}
	case stripeapi.PaymentIntentStatusRequiresAction:
		return &steperr.PaymentDeclined{Reason: "the card asks for the customer's authentication, which a fare collected without them cannot give"}
	case stripeapi.PaymentIntentStatusProcessing:
		return &steperr.GatewayUnavailable{Operation: gateway.OpPreAuthorize}
	}
	return unexpected(gateway.OpPreAuthorize, intent)
}

func expired(intent *stripeapi.PaymentIntent) error {
	e := &gateway.AuthorizationExpired{Code: intent.ID}
	if intent.CanceledAt > 0 {
		e.ExpiredAt = time.Unix(intent.CanceledAt, 0).UTC()
	}
	return e
}

func unexpected(operation string, intent *stripeapi.PaymentIntent) error {
	return &steperr.GatewayRejected{Operation: operation,
		Reason: "Stripe answered with payment intent " + intent.ID + " in status " + string(intent.Status)}
}

// stripeKey is the Idempotency-Key of one of several Stripe requests a call makes under
// key. Keys too long to take the suffix are hashed: still deterministic, still unique.
func stripeKey(key, request string) string {
	k := key + "#" + request
	if len(k) > gateway.MaxIdempotencyKeyLength {
		sum := sha256.Sum256([]byte(key))
		k = "sha256:" + hex.EncodeToString(sum[:]) + "#" + request
	}
	return k
}
