package stripefake

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// intent is a PaymentIntent as the server keeps it. Every method here runs with s.mu.
type intent struct {
	id, currency, paymentMethod, captureMethod, status string
	amount, capturable, received                       int64
	metadata                                           map[string]string
	created, canceledAt                                int64
	cancellationReason                                 string
	lastError                                          map[string]any
	charge                                             *charge
	authorizedAt                                       time.Time
	declinesCapture                                    bool
}

type charge struct {
	id, status                       string
	amount, captured, refundedAmount int64
	isCaptured, isRefunded           bool
	captureBefore                    int64
	refunds                          []*refund
}

type refund struct {
	id, status string
	amount     int64
	metadata   map[string]string
}

type expansions map[string]bool

func expansionsOf(form url.Values) expansions {
	e := expansions{}
	for k, vs := range form { // expand[]=..., or expand[0]=... as stripe-go sends it
		if !strings.HasPrefix(k, "expand[") {
			continue
		}
		for _, v := range vs {
			e[v] = true
			for i := range v { // a nested expansion expands its parents
				if v[i] == '.' {
					e[v[:i]] = true
				}
			}
		}
	}
	return e
}

// within is the expansions under a field: "latest_charge.refunds" under "latest_charge"
// is "refunds".
func (e expansions) within(field string) expansions {
	inner := expansions{}
	for k := range e {
		if rest, ok := strings.CutPrefix(k, field+"."); ok {
			inner[rest] = true
		}
	}
	return inner
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s_fake%06d", prefix, s.seq)
}

// age releases an authorisation left uncaptured past its lifetime, as the issuer does.
func (s *Server) age(in *intent) {
	if in.status != "requires_capture" || s.now.Before(in.authorizedAt.Add(authorizationLifetime)) {
		return
	}
	in.status, in.cancellationReason = "canceled", "automatic"
	in.canceledAt = in.authorizedAt.Add(authorizationLifetime).Unix()
	in.capturable = 0
	in.charge.isRefunded, in.charge.refundedAmount = true, in.charge.amount
}

func invalid(code, param, message string) answer {
	body := apiError("invalid_request_error", code, message)
	if param != "" {
		body["error"].(map[string]any)["param"] = param
	}
	return answer{status: http.StatusBadRequest, body: body, unsaved: true}
}

func missing(param, what, id string) answer {
	a := invalid("resource_missing", param, "No such "+what+": '"+id+"'")
	a.status = http.StatusNotFound
	return a
}

func metadataOf(form url.Values) map[string]string {
	m := map[string]string{}
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") && len(vs) > 0 {
			m[strings.TrimSuffix(name, "]")] = vs[0]
		}
	}
	return m
}

func (s *Server) create(form url.Values) answer {
	amount, err := strconv.ParseInt(form.Get("amount"), 10, 64)
	switch {
	case form.Get("amount") == "":
		return invalid("parameter_missing", "amount", "Missing required param: amount.")
	case err != nil || amount <= 0:
		return invalid("parameter_invalid_integer", "amount", "Invalid positive integer")
	case len(form.Get("currency")) != 3:
		return invalid("parameter_missing", "currency", "Missing required param: currency.")
	}
	pm := form.Get("payment_method")
	if pm != "" && !known(pm) {
		return missing("payment_method", "PaymentMethod", pm)
	}
	in := &intent{id: s.nextID("pi"), amount: amount, currency: form.Get("currency"), paymentMethod: pm,
		captureMethod: form.Get("capture_method"), metadata: metadataOf(form), created: s.now.Unix(),
		status: "requires_payment_method"}
	if in.captureMethod == "" {
		in.captureMethod = "automatic"
	}
	if pm != "" {
		in.status = "requires_confirmation"
	}
	s.intents[in.id] = in
	if form.Get("confirm") == "true" {
		return s.confirm(in.id, form)
	}
	return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
}

func known(pm string) bool {
	switch pm {
	case Visa, Mastercard, Declined, InsufficientFunds, AuthenticationNeeded, CaptureDeclined:
		return true
	}
	return false
}

func (s *Server) intent(id string) (*intent, bool) {
	in, ok := s.intents[id]
	if ok {
		s.age(in)
	}
	return in, ok
}

func (s *Server) retrieve(id string, form url.Values) answer {
	in, ok := s.intent(id)
	if !ok {
		return missing("intent", "payment_intent", id)
	}
	return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
}

// unexpectedState is Stripe's refusal of a change its object's state does not allow;
// the error carries the intent, as Stripe's does.
func (s *Server) unexpectedState(in *intent, message string) answer {
	body := apiError("invalid_request_error", "payment_intent_unexpected_state", message)
	body["error"].(map[string]any)["payment_intent"] = s.renderIntent(in, expansions{})
	return answer{status: http.StatusBadRequest, body: body}
}

func (s *Server) cardError(in *intent, status int, code, decline string) answer {
	e := map[string]any{"type": "card_error", "code": code, "message": "Your card was declined.",
		"payment_method": map[string]any{"id": in.paymentMethod, "object": "payment_method"}}
	if decline != "" {
		e["decline_code"] = decline
		e["advice_code"] = "try_again_later"
	}
	in.lastError = e
	e["payment_intent"] = s.renderIntent(in, expansions{})
	return answer{status: status, body: map[string]any{"error": e}}
}

func (s *Server) confirm(id string, form url.Values) answer {
	in, ok := s.intent(id)
	if !ok {
		return missing("intent", "payment_intent", id)
	}
	if pm := form.Get("payment_method"); pm != "" {
		in.paymentMethod = pm
	}
	if in.status != "requires_confirmation" && in.status != "requires_payment_method" || in.paymentMethod == "" {
		return s.unexpectedState(in, "This PaymentIntent's status is "+in.status+", but it must be requires_confirmation or requires_payment_method to be confirmed.")
	}
	ch := &charge{id: s.nextID("ch"), amount: in.amount}
	in.charge = ch
	switch in.paymentMethod {
	case Declined, InsufficientFunds:
		ch.status, in.status = "failed", "requires_payment_method"
		decline := map[string]string{Declined: "generic_decline", InsufficientFunds: "insufficient_funds"}[in.paymentMethod]
		return s.cardError(in, http.StatusPaymentRequired, "card_declined", decline)
	case AuthenticationNeeded:
		ch.status = "failed"
		if form.Get("error_on_requires_action") == "true" {
			in.status = "requires_payment_method"
			return s.cardError(in, http.StatusPaymentRequired, "authentication_required", "authentication_required")
		}
		in.status = "requires_action"
		return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
	}
	in.lastError = nil
	ch.status, in.authorizedAt = "succeeded", s.now
	ch.captureBefore = s.now.Add(authorizationLifetime).Unix()
	in.declinesCapture = in.paymentMethod == CaptureDeclined
	if in.captureMethod == "automatic" {
		in.status, in.received, ch.isCaptured, ch.captured = "succeeded", in.amount, true, in.amount
	} else {
		in.status, in.capturable = "requires_capture", in.amount
	}
	return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
}

func (s *Server) capture(id string, form url.Values) answer {
	in, ok := s.intent(id)
	if !ok {
		return missing("intent", "payment_intent", id)
	}
	if in.status != "requires_capture" {
		return s.unexpectedState(in, "This PaymentIntent could not be captured because it has a status of "+in.status+". Only a PaymentIntent with one of the following statuses may be captured: requires_capture.")
	}
	amount := in.capturable
	if v := form.Get("amount_to_capture"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return invalid("parameter_invalid_integer", "amount_to_capture", "Invalid positive integer")
		}
		amount = n
	}
	if amount > in.capturable {
		a := invalid("amount_too_large", "amount_to_capture", "The amount to capture is greater than the amount capturable.")
		a.unsaved = false
		return a
	}
	if in.declinesCapture {
		return s.cardError(in, http.StatusPaymentRequired, "card_declined", "generic_decline")
	}
	for k, v := range metadataOf(form) {
		in.metadata[k] = v
	}
	in.status, in.received, in.capturable = "succeeded", amount, 0
	in.charge.isCaptured, in.charge.captured = true, amount
	return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
}

func (s *Server) cancel(id string, form url.Values) answer {
	in, ok := s.intent(id)
	if !ok {
		return missing("intent", "payment_intent", id)
	}
	switch in.status {
	case "requires_payment_method", "requires_confirmation", "requires_action", "requires_capture":
	default:
		return s.unexpectedState(in, "You cannot cancel this PaymentIntent because it has a status of "+in.status+". Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.")
	}
	reason := form.Get("cancellation_reason")
	switch reason {
	case "", "duplicate", "fraudulent", "requested_by_customer", "abandoned":
	default:
		return invalid("parameter_invalid_string", "cancellation_reason", "Invalid cancellation_reason")
	}
	if in.status == "requires_capture" {
		in.charge.isRefunded, in.charge.refundedAmount = true, in.charge.amount
	}
	in.status, in.capturable, in.canceledAt = "canceled", 0, s.now.Unix()
	in.cancellationReason = reason
	return answer{status: http.StatusOK, body: s.renderIntent(in, expansionsOf(form))}
}

func (s *Server) refund(form url.Values) answer {
	id := form.Get("payment_intent")
	if id == "" {
		return invalid("parameter_missing", "payment_intent", "One of the following params should be provided for this request: payment_intent or charge.")
	}
	in, ok := s.intent(id)
	if !ok {
		return missing("payment_intent", "payment_intent", id)
	}
	switch {
	case in.status == "succeeded" && in.charge.refundedAmount >= in.charge.captured:
		return answer{status: http.StatusBadRequest, body: apiError("invalid_request_error", "charge_already_refunded",
			"Charge "+in.charge.id+" has already been refunded.")}
	case in.status != "succeeded":
		return s.unexpectedState(in, "This PaymentIntent does not have a successful charge to refund.")
	}
	r := &refund{id: s.nextID("re"), status: "succeeded", amount: in.charge.captured - in.charge.refundedAmount, metadata: metadataOf(form)}
	in.charge.refunds = append(in.charge.refunds, r)
	in.charge.refundedAmount += r.amount
	in.charge.isRefunded = in.charge.refundedAmount >= in.charge.captured
	e := expansionsOf(form)
	body := s.renderRefund(r, in)
	if e["payment_intent"] {
		body["payment_intent"] = s.renderIntent(in, e.within("payment_intent"))
	}
	return answer{status: http.StatusOK, body: body}
}

func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func (s *Server) renderIntent(in *intent, e expansions) map[string]any {
	out := map[string]any{
		"id": in.id, "object": "payment_intent", "amount": in.amount, "amount_capturable": in.capturable,
		"amount_received": in.received, "currency": in.currency, "status": in.status,
		"capture_method": in.captureMethod, "created": in.created, "livemode": false,
		"canceled_at": nullable(in.canceledAt), "cancellation_reason": nullable(in.cancellationReason),
		"payment_method": nullable(in.paymentMethod), "metadata": in.metadata,
		"last_payment_error": nil, "latest_charge": nil,
	}
	if in.lastError != nil {
		last := map[string]any{}
		for k, v := range in.lastError {
			if k != "payment_intent" {
				last[k] = v
			}
		}
		out["last_payment_error"] = last
	}
	if in.charge != nil {
		out["latest_charge"] = in.charge.id
		if e["latest_charge"] {
			out["latest_charge"] = s.renderCharge(in)
		}
	}
	return out
}

func (s *Server) renderCharge(in *intent) map[string]any {
	ch := in.charge
	refunds := []any{}
	for _, r := range ch.refunds {
		refunds = append(refunds, s.renderRefund(r, in))
	}
	return map[string]any{
		"id": ch.id, "object": "charge", "amount": ch.amount, "amount_captured": ch.captured,
		"amount_refunded": ch.refundedAmount, "captured": ch.isCaptured, "refunded": ch.isRefunded,
		"status": ch.status, "currency": in.currency, "payment_intent": in.id, "metadata": map[string]string{},
		"payment_method":         nullable(in.paymentMethod),
		"payment_method_details": map[string]any{"type": "card", "card": map[string]any{"capture_before": nullable(ch.captureBefore)}},
		// Stripe lists refunds only when asked (expand latest_charge.refunds); this
		// server always does, so that stripe-mock's fixture refunds never show.
		"refunds": map[string]any{"object": "list", "data": refunds, "has_more": false, "url": "/v1/charges/" + ch.id + "/refunds"},
	}
}

func (s *Server) renderRefund(r *refund, in *intent) map[string]any {
	return map[string]any{
		"id": r.id, "object": "refund", "amount": r.amount, "currency": in.currency, "status": r.status,
		"charge": in.charge.id, "payment_intent": in.id, "metadata": r.metadata,
	}
}
