// Package stripe is the Stripe adapter of the payment gateway: PaymentIntents with
// capture_method=manual, over stripe-go.
//
// A pre-authorisation is a PaymentIntent created unconfirmed, bound to its idempotency
// key in Bindings, then confirmed: it holds the funds (requires_capture). A capture
// captures it, a void cancels it, a refund refunds it. Every write carries an
// Idempotency-Key derived from the caller's key (never stripe-go's random one), so a
// retry replays Stripe's saved answer instead of acting twice; every intent and refund
// carries the fareId in its metadata.
//
// Stripe cannot be asked "what did the request under this key do?", and its search API
// is eventually consistent, so the adapter writes down which intent a key addresses
// before it sends the request (Bindings); Lookup and CancelPreAuthorization read the
// binding and then retrieve the intent, which is strongly consistent. Each effect also
// leaves evidence of the key that made it on the intent (the capture's metadata, the
// refund's metadata), so a lookup by key reports only what that key did.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Metadata fields the adapter writes on intents and refunds.
const (
	fareIDField     = "fareId"
	captureKeyField = "faresaga_capture_key" // on the intent: the key that captured it
	refundKeyField  = "faresaga_refund_key"  // on the refund: the key that made it
)

// cancellationReason is what the adapter's cancellations tell Stripe: the purchase was
// abandoned (the saga compensated). Stripe's own cancellations of an expired
// authorisation say "automatic" or "expired".
const cancellationReason = "abandoned"

// RequestTimeout bounds one Stripe request, below the functions' 10 s timeout: a
// request that times out is a lost response, which the saga's retries and lookups are
// built for.
const RequestTimeout = 5 * time.Second

// Config is what New needs.
type Config struct {
	// APIKey returns Stripe's secret key. It is called once, and again after Stripe
	// refuses the key (a rotated secret), never logged, never put in an error.
	APIKey func(ctx context.Context) (string, error)
	// URL is the API's base URL: "" for Stripe's, or a Stripe-compatible endpoint such
	// as stripe-mock.
	URL string
	// HTTPClient sends the requests; nil: one with RequestTimeout.
	HTTPClient *http.Client
	// Bindings keeps which intent each idempotency key addresses.
	Bindings Bindings
	// Now stamps bindings; nil: time.Now.
	Now func() time.Time
}

// Gateway is the Stripe adapter.
type Gateway struct {
	cfg      Config
	backends *stripeapi.Backends

	mu     sync.Mutex
	client *stripeapi.Client // built with the key once it is known
}

var _ gateway.Gateway = (*Gateway)(nil)

// New returns the adapter described by cfg.
func New(cfg Config) (*Gateway, error) {
	if cfg.APIKey == nil || cfg.Bindings == nil {
		return nil, errors.New("stripe gateway: an API key source and bindings are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: RequestTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	backend := &stripeapi.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// The saga retries, with backoff and the same keys; retries in here would only
		// hide how many requests a step makes.
		MaxNetworkRetries: stripeapi.Int64(0),
		// stripe-go logs failed requests, bodies included, to stderr by default.
		LeveledLogger:   &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
		EnableTelemetry: stripeapi.Bool(false),
	}
	if cfg.URL != "" {
		backend.URL = stripeapi.String(cfg.URL)
	}
	return &Gateway{cfg: cfg, backends: stripeapi.NewBackendsWithConfig(backend)}, nil
}

// api returns the Stripe client, asking for the key the first time.
func (g *Gateway) api(ctx context.Context, operation string) (*stripeapi.Client, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.client != nil {
		return g.client, nil
	}
	key, err := g.cfg.APIKey(ctx)
	if err == nil && strings.TrimSpace(key) == "" {
		err = errors.New("it is empty: store Stripe's secret key in it")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: the Stripe API key: %w", &steperr.GatewayUnavailable{Operation: operation}, err)
	}
	g.client = stripeapi.NewClient(strings.TrimSpace(key), stripeapi.WithBackends(g.backends))
	return g.client, nil
}

// forgetKey drops the client after Stripe refused its key, so the next call asks again.
func (g *Gateway) forgetKey() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.client = nil
}

func (g *Gateway) PreAuthorize(ctx context.Context, req gateway.PreAuthorizeRequest) (gateway.Authorization, error) {
	const op = gateway.OpPreAuthorize
	if err := checkRequest(op, req.IdempotencyKey, req.Amount); err != nil {
		return gateway.Authorization{}, err
	}
	api, err := g.api(ctx, op)
	if err != nil {
		return gateway.Authorization{}, err
	}
	want := Binding{Key: req.IdempotencyKey, Operation: op,
		Fingerprint: gateway.Fingerprint(op, req.FareID, req.PaymentToken, fmt.Sprint(req.Amount.Amount), req.Amount.Currency)}
	bound, found, err := g.cfg.Bindings.Get(ctx, req.IdempotencyKey)
	if err != nil {
		return gateway.Authorization{}, unavailable(op, err)
	}
	if !found {
		// Created unconfirmed, so nothing is held until the intent is bound: a
		// cancellation that comes first finds the key closed, or the intent to cancel.
		params := &stripeapi.PaymentIntentCreateParams{
			Amount:             stripeapi.Int64(req.Amount.Amount),
			Currency:           stripeapi.String(strings.ToLower(req.Amount.Currency)),
			CaptureMethod:      stripeapi.String(string(stripeapi.PaymentIntentCaptureMethodManual)),
			PaymentMethod:      stripeapi.String(req.PaymentToken),
			PaymentMethodTypes: []*string{stripeapi.String("card")},
			Metadata:           map[string]string{fareIDField: req.FareID},
		}
		params.SetIdempotencyKey(stripeKey(req.IdempotencyKey, "create"))
		intent, err := api.V1PaymentIntents.Create(ctx, params)
		if err != nil {
			return gateway.Authorization{}, g.fail(op, err)
		}
		want.IntentID = intent.ID
		if bound, err = g.bind(ctx, want); err != nil {
			return gateway.Authorization{}, err
		}
		if bound.Operation == gateway.OpCancel {
			// The compensation closed the key while we created: our intent must never
			// be confirmed, so it is cancelled (it held nothing).
			_, _ = g.cancelIntent(ctx, api, intent.ID, stripeKey(req.IdempotencyKey, "cancel"))
		}
	}
	if err := bound.matches(want); err != nil {
		return gateway.Authorization{}, err
	}
	params := &stripeapi.PaymentIntentConfirmParams{ErrorOnRequiresAction: stripeapi.Bool(true)}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(stripeKey(req.IdempotencyKey, "confirm"))
	intent, err := api.V1PaymentIntents.Confirm(ctx, bound.IntentID, params)
	if err != nil {
		if !isStateRefusal(err) {
			return gateway.Authorization{}, g.fail(op, err)
		}
		// The intent cannot be confirmed: a cancellation got to it first, or it was
		// confirmed under this key so long ago that Stripe forgot the answer.
		current, authorised, err := g.retrieve(ctx, api, op, bound.IntentID)
		switch {
		case err != nil:
			return gateway.Authorization{}, err
		case authorised:
			return current, nil
		case current.Status == "":
			return gateway.Authorization{}, &gateway.PreAuthorizationCancelled{Key: req.IdempotencyKey}
		}
		return gateway.Authorization{}, &gateway.InvalidTransition{Operation: op, Current: current}
	}
	auth, authorised := authorizationOf(intent)
	if !authorised || auth.Status != gateway.StatusAuthorized {
		return gateway.Authorization{}, notAuthorized(intent)
	}
	return auth, nil
}

func (g *Gateway) Capture(ctx context.Context, req gateway.CaptureRequest) (gateway.Authorization, error) {
	const op = gateway.OpCapture
	if err := checkRequest(op, req.IdempotencyKey, req.Amount); err != nil {
		return gateway.Authorization{}, err
	}
	api, err := g.api(ctx, op)
	if err != nil {
		return gateway.Authorization{}, err
	}
	// The capture API takes an amount without a currency: the intent is read first, to
	// check the currency, the amount still capturable and expiry before money moves.
	intent, err := api.V1PaymentIntents.Retrieve(ctx, req.AuthorizationCode, retrieveParams())
	if err != nil {
		return gateway.Authorization{}, g.fail(op, err)
	}
	current, _ := authorizationOf(intent)
	if intent.Metadata[captureKeyField] != req.IdempotencyKey { // not a replay of our own capture
		switch {
		case current.Status == gateway.StatusExpired:
			return gateway.Authorization{}, expired(intent)
		case current.Status != gateway.StatusAuthorized:
			return gateway.Authorization{}, &gateway.InvalidTransition{Operation: op, Current: current}
		case !strings.EqualFold(string(intent.Currency), req.Amount.Currency):
			return gateway.Authorization{}, &steperr.GatewayRejected{Operation: op, Reason: "capture currency differs from the authorised currency"}
		case req.Amount.Amount > intent.AmountCapturable:
			return gateway.Authorization{}, &steperr.GatewayRejected{Operation: op, Reason: "capture amount exceeds the authorised amount"}
		}
	}
	want := Binding{Key: req.IdempotencyKey, Operation: op, IntentID: req.AuthorizationCode,
		Fingerprint: gateway.Fingerprint(op, req.FareID, req.AuthorizationCode, fmt.Sprint(req.Amount.Amount), req.Amount.Currency)}
	if err := g.bindOnce(ctx, want); err != nil {
		return gateway.Authorization{}, err
	}
	params := &stripeapi.PaymentIntentCaptureParams{
		AmountToCapture: stripeapi.Int64(req.Amount.Amount),
		Metadata:        map[string]string{fareIDField: req.FareID, captureKeyField: req.IdempotencyKey},
	}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(req.IdempotencyKey)
	intent, err = api.V1PaymentIntents.Capture(ctx, req.AuthorizationCode, params)
	if err != nil {
		return gateway.Authorization{}, g.refusal(ctx, api, op, req.AuthorizationCode, err)
	}
	auth, _ := authorizationOf(intent)
	if auth.Status != gateway.StatusCaptured {
		return gateway.Authorization{}, unexpected(op, intent)
	}
	return auth, nil
}

func (g *Gateway) Void(ctx context.Context, req gateway.VoidRequest) (gateway.Authorization, error) {
	const op = gateway.OpVoid
	api, err := g.prepare(ctx, op, req.IdempotencyKey, req.FareID, req.AuthorizationCode)
	if err != nil {
		return gateway.Authorization{}, err
	}
	intent, err := g.cancelIntent(ctx, api, req.AuthorizationCode, req.IdempotencyKey)
	if err != nil {
		err = g.refusal(ctx, api, op, req.AuthorizationCode, err)
		var moved *gateway.InvalidTransition
		if errors.As(err, &moved) && (moved.Current.Status == gateway.StatusVoided || moved.Current.Status == gateway.StatusExpired) {
			return moved.Current, nil // releasing what is released is harmless, so it is not an error
		}
		return gateway.Authorization{}, err
	}
	auth, _ := authorizationOf(intent)
	if auth.Status != gateway.StatusVoided {
		return gateway.Authorization{}, unexpected(op, intent)
	}
	return auth, nil
}

func (g *Gateway) Refund(ctx context.Context, req gateway.RefundRequest) (gateway.Authorization, error) {
	const op = gateway.OpRefund
	api, err := g.prepare(ctx, op, req.IdempotencyKey, req.FareID, req.AuthorizationCode)
	if err != nil {
		return gateway.Authorization{}, err
	}
	params := &stripeapi.RefundCreateParams{
		PaymentIntent: stripeapi.String(req.AuthorizationCode),
		Metadata:      map[string]string{fareIDField: req.FareID, refundKeyField: req.IdempotencyKey},
	}
	params.AddExpand("payment_intent.latest_charge.refunds")
	params.SetIdempotencyKey(req.IdempotencyKey)
	refund, err := api.V1Refunds.Create(ctx, params)
	if err != nil {
		return gateway.Authorization{}, g.refusal(ctx, api, op, req.AuthorizationCode, err)
	}
	if refund.Status != stripeapi.RefundStatusSucceeded && refund.Status != stripeapi.RefundStatusPending {
		return gateway.Authorization{}, &steperr.GatewayRejected{Operation: op, Reason: "Stripe's refund " + refund.ID + " is " + string(refund.Status)}
	}
	if refund.PaymentIntent == nil {
		return gateway.Authorization{}, &steperr.GatewayRejected{Operation: op, Reason: "Stripe's refund " + refund.ID + " names no payment intent"}
	}
	auth, _ := authorizationOf(refund.PaymentIntent)
	auth.Status, auth.RefundID = gateway.StatusRefunded, refund.ID
	return auth, nil
}

func (g *Gateway) Lookup(ctx context.Context, idempotencyKey string) (gateway.Authorization, bool, error) {
	const op = gateway.OpLookup
	bound, found, err := g.cfg.Bindings.Get(ctx, idempotencyKey)
	if err != nil {
		return gateway.Authorization{}, false, unavailable(op, err)
	}
	if !found || bound.Operation == gateway.OpCancel {
		return gateway.Authorization{}, false, nil
	}
	api, err := g.api(ctx, op)
	if err != nil {
		return gateway.Authorization{}, false, err
	}
	intent, err := api.V1PaymentIntents.Retrieve(ctx, bound.IntentID, retrieveParams())
	if err != nil {
		return gateway.Authorization{}, false, g.fail(op, err)
	}
	auth, authorised := authorizationOf(intent)
	return auth, tookEffect(bound, intent, auth, authorised), nil
}

// tookEffect reads on the intent whether the request bound to it under its key applied.
func tookEffect(b Binding, intent *stripeapi.PaymentIntent, auth gateway.Authorization, authorised bool) bool {
	switch b.Operation {
	case gateway.OpPreAuthorize:
		return authorised
	case gateway.OpCapture:
		return intent.Metadata[captureKeyField] == b.Key
	case gateway.OpVoid:
		return auth.Status == gateway.StatusVoided
	case gateway.OpRefund:
		for _, r := range refundsOf(intent) {
			if r.Metadata[refundKeyField] == b.Key {
				return true
			}
		}
	}
	return false
}

func (g *Gateway) CancelPreAuthorization(ctx context.Context, preauthKey string) (gateway.Authorization, bool, error) {
	const op = gateway.OpCancel
	if err := gateway.CheckKey(op, preauthKey); err != nil {
		return gateway.Authorization{}, false, err
	}
	bound, err := g.bind(ctx, Binding{Key: preauthKey, Operation: op})
	switch {
	case err != nil:
		return gateway.Authorization{}, false, err
	case bound.Operation == op: // closed now, or earlier: nothing was or will be authorised
		return gateway.Authorization{}, false, nil
	case bound.Operation != gateway.OpPreAuthorize:
		return gateway.Authorization{}, false, &gateway.IdempotencyConflict{Operation: op, Key: preauthKey, Detail: "it was used for " + bound.Operation}
	}
	api, err := g.api(ctx, op)
	if err != nil {
		return gateway.Authorization{}, false, err
	}
	current, authorised, err := g.retrieve(ctx, api, op, bound.IntentID)
	if err != nil || authorised || current.Status != "" {
		return current, authorised, err
	}
	// An intent that never held anything, still open to a confirmation on its way:
	// cancelled, it never can hold anything.
	intent, err := g.cancelIntent(ctx, api, bound.IntentID, stripeKey(preauthKey, "cancel"))
	if err != nil {
		if !isStateRefusal(err) {
			return gateway.Authorization{}, false, g.fail(op, err)
		}
		return g.retrieve(ctx, api, op, bound.IntentID) // it moved on meanwhile: report where to
	}
	auth, authorised := authorizationOf(intent) // a confirmation that landed first was voided with it
	return auth, authorised, nil
}

// prepare starts a change of the intent code under key: it checks the key, and binds
// it to the request before anything is sent.
func (g *Gateway) prepare(ctx context.Context, operation, key, fareID, code string) (*stripeapi.Client, error) {
	if err := gateway.CheckKey(operation, key); err != nil {
		return nil, err
	}
	api, err := g.api(ctx, operation)
	if err != nil {
		return nil, err
	}
	want := Binding{Key: key, Operation: operation, IntentID: code, Fingerprint: gateway.Fingerprint(operation, fareID, code)}
	return api, g.bindOnce(ctx, want)
}

// bind writes b, and returns the key's binding.
func (g *Gateway) bind(ctx context.Context, b Binding) (Binding, error) {
	b.CreatedAt = g.cfg.Now().UTC()
	bound, err := g.cfg.Bindings.Bind(ctx, b)
	if err != nil {
		return Binding{}, unavailable(b.Operation, err)
	}
	return bound, nil
}

// bindOnce binds want, refusing a key bound to something else.
func (g *Gateway) bindOnce(ctx context.Context, want Binding) error {
	bound, err := g.bind(ctx, want)
	if err != nil {
		return err
	}
	return bound.matches(want)
}

// matches refuses a key bound to another request than want.
func (b Binding) matches(want Binding) error {
	switch {
	case b.Operation == gateway.OpCancel && want.Operation == gateway.OpPreAuthorize:
		return &gateway.PreAuthorizationCancelled{Key: want.Key}
	case b.Operation != want.Operation:
		return &gateway.IdempotencyConflict{Operation: want.Operation, Key: want.Key, Detail: "it was used for " + b.Operation}
	case b.Fingerprint != want.Fingerprint:
		return &gateway.IdempotencyConflict{Operation: want.Operation, Key: want.Key, Detail: "with other parameters"}
	case want.IntentID != "" && b.IntentID != want.IntentID:
		return &gateway.IdempotencyConflict{Operation: want.Operation, Key: want.Key, Detail: "for another payment intent"}
	}
	return nil
}

func (g *Gateway) cancelIntent(ctx context.Context, api *stripeapi.Client, id, key string) (*stripeapi.PaymentIntent, error) {
	params := &stripeapi.PaymentIntentCancelParams{CancellationReason: stripeapi.String(cancellationReason)}
	params.AddExpand("latest_charge")
	params.SetIdempotencyKey(key)
	return api.V1PaymentIntents.Cancel(ctx, id, params)
}

// retrieve reads an intent as it is now.
func (g *Gateway) retrieve(ctx context.Context, api *stripeapi.Client, operation, id string) (gateway.Authorization, bool, error) {
	intent, err := api.V1PaymentIntents.Retrieve(ctx, id, retrieveParams())
	if err != nil {
		return gateway.Authorization{}, false, g.fail(operation, err)
	}
	auth, authorised := authorizationOf(intent)
	return auth, authorised, nil
}

func retrieveParams() *stripeapi.PaymentIntentRetrieveParams {
	params := &stripeapi.PaymentIntentRetrieveParams{}
	params.AddExpand("latest_charge.refunds")
	return params
}

// refusal turns Stripe refusing a change into what the caller needs: when the intent's
// state is the reason, the state (an *InvalidTransition, or *AuthorizationExpired for
// a capture), read fresh from Stripe.
func (g *Gateway) refusal(ctx context.Context, api *stripeapi.Client, operation, id string, err error) error {
	if !isStateRefusal(err) {
		return g.fail(operation, err)
	}
	intent, rerr := api.V1PaymentIntents.Retrieve(ctx, id, retrieveParams())
	if rerr != nil {
		return g.fail(operation, rerr)
	}
	current, _ := authorizationOf(intent)
	allowed := map[string]gateway.Status{gateway.OpCapture: gateway.StatusAuthorized, gateway.OpVoid: gateway.StatusAuthorized,
		gateway.OpRefund: gateway.StatusCaptured}[operation]
	switch {
	case operation == gateway.OpCapture && current.Status == gateway.StatusExpired:
		return expired(intent)
	case current.Status != allowed:
		return &gateway.InvalidTransition{Operation: operation, Current: current}
	}
	return g.fail(operation, err) // the state allows it: Stripe refused for another reason
}

func checkRequest(operation, key string, amount money.Money) error {
	if err := gateway.CheckKey(operation, key); err != nil {
		return err
	}
	return gateway.CheckAmount(operation, amount)
}

func unavailable(operation string, err error) error {
	return fmt.Errorf("%w: %w", &steperr.GatewayUnavailable{Operation: operation}, err)
}
