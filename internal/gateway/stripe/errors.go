package stripe

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/steperr"
)

// fail maps a Stripe error onto the saga's error names. It never passes on Stripe's
// message, which can quote the payment method, nor stripe-go's error text, which
// carries the whole answer: only the type, codes, status and request id, which say what
// happened without saying what was sent.
func (g *Gateway) fail(operation string, err error) error {
	var se *stripeapi.Error
	if !errors.As(err, &se) {
		// Stripe did not answer: a network error, a timeout, or an answer that was not
		// Stripe's. The connection's own error says which, and carries no request data.
		return fmt.Errorf("%w: %s", &steperr.GatewayUnavailable{Operation: operation}, networkCause(err))
	}
	what := describe(se)
	switch {
	case se.HTTPStatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("%w: Stripe answered %s", &steperr.Throttled{Operation: operation}, what)
	case se.HTTPStatusCode == http.StatusConflict || se.HTTPStatusCode >= 500:
		// 409: a request under the same key is still running; 5xx: Stripe's trouble.
		return fmt.Errorf("%w: Stripe answered %s", &steperr.GatewayUnavailable{Operation: operation}, what)
	case se.Type == stripeapi.ErrorTypeIdempotency:
		return &gateway.IdempotencyConflict{Operation: operation, Key: idempotencyKeyOf(se), Detail: "Stripe answered " + what}
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		g.forgetKey()
		return &steperr.GatewayRejected{Operation: operation, Reason: "Stripe refused the API key: " + what}
	case se.Type == stripeapi.ErrorTypeCard && operation == gateway.OpPreAuthorize:
		return &steperr.PaymentDeclined{Reason: "Stripe answered " + what}
	case se.Type == stripeapi.ErrorTypeCard && operation == gateway.OpCapture:
		return &steperr.CaptureDeclined{Reason: "Stripe answered " + what}
	case se.Code == stripeapi.ErrorCodeResourceMissing && se.Param == "payment_method":
		return &steperr.PaymentDeclined{Reason: "Stripe does not know the payment method: " + what}
	case se.Code == stripeapi.ErrorCodeResourceMissing:
		return &steperr.GatewayRejected{Operation: operation, Reason: "no such authorisation: Stripe answered " + what}
	}
	return &steperr.GatewayRejected{Operation: operation, Reason: "Stripe answered " + what}
}

// isStateRefusal reports whether Stripe refused a change for the state its object is
// in (captured, cancelled, refunded...) rather than for the request itself: any 400
// invalid_request_error that is not about a parameter or a missing object. Callers read
// the object to learn its state.
func isStateRefusal(err error) bool {
	var se *stripeapi.Error
	if !errors.As(err, &se) || se.Type != stripeapi.ErrorTypeInvalidRequest || se.HTTPStatusCode != http.StatusBadRequest {
		return false
	}
	switch {
	case se.Code == "", strings.HasPrefix(string(se.Code), "parameter_"),
		se.Code == stripeapi.ErrorCodeResourceMissing, se.Code == stripeapi.ErrorCodeAmountTooLarge:
		return false
	}
	return true
}

// describe is what may be said of a Stripe error: HTTP status, type, code, decline and
// advice codes, request id.
func describe(se *stripeapi.Error) string {
	parts := []string{}
	if se.HTTPStatusCode != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", se.HTTPStatusCode))
	}
	parts = append(parts, string(se.Type))
	if se.Code != "" {
		parts = append(parts, string(se.Code))
	}
	if se.DeclineCode != "" {
		parts = append(parts, "decline_code "+string(se.DeclineCode))
	}
	if advice := adviceCode(se); advice != "" {
		parts = append(parts, "advice_code "+advice)
	}
	if se.Param != "" {
		parts = append(parts, "param "+se.Param)
	}
	if se.RequestID != "" {
		parts = append(parts, "request "+se.RequestID)
	}
	return strings.Join(parts, " ")
}

// adviceCode reads error.advice_code, which stripe-go v85 does not decode.
func adviceCode(se *stripeapi.Error) string {
	if se.LastResponse == nil {
		return ""
	}
	var body struct {
		Error struct {
			AdviceCode string `json:"advice_code"`
		} `json:"error"`
	}
	if json.Unmarshal(se.LastResponse.RawJSON, &body) != nil {
		return ""
	}
	return body.Error.AdviceCode
}

func idempotencyKeyOf(se *stripeapi.Error) string {
	if se.LastResponse != nil {
		return se.LastResponse.IdempotencyKey
	}
	return ""
}

// networkCause names a transport failure by its innermost error ("connection refused",
// "EOF", a timeout), which holds neither the request nor the key. Anything else is an
// answer stripe-go could not read, whose text quotes the answer: it is not repeated.
func networkCause(err error) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return "Stripe's answer could not be read"
	}
	err = urlErr.Err
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(err) {
		err = inner
	}
	return "no answer from Stripe: " + err.Error()
}
