// Package simulated is a deterministic payment gateway with a real gateway's contract:
// idempotent replays, refused key reuse, enforced transitions, authorisations that
// expire, and ids derived from the idempotency key. It is the saga's default gateway,
// keeping its state in memory (local runtime, tests) or in the PaymentGateway table
// (deployed).
package simulated

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Test tokens the simulated gateway answers specially, like a provider's sandbox.
const (
	// DeclinedToken is declined at pre-authorisation.
	DeclinedToken = "tok_declined"
	// CaptureDeclinedToken is pre-authorised, then declined at capture.
	CaptureDeclinedToken = "tok_capture_declined"
)

// opCancel is also the operation of a key cancelled before any pre-authorisation.
const opCancel = gateway.OpCancel

// maxCommitAttempts bounds the read-decide-commit loop under contention. Each lost race
// means another request applied, and after a few the answer is a replay or a refusal.
const maxCommitAttempts = 8

// Gateway is the simulated gateway.
type Gateway struct {
	store Store
	now   func() time.Time
}

var _ gateway.Gateway = (*Gateway)(nil)

// New returns a gateway keeping its state in store (NewMemoryStore or NewDynamoStore);
// now stamps its records and ages its authorisations (nil: time.Now).
func New(store Store, now func() time.Time) *Gateway {
	if now == nil {
		now = time.Now
	}
	return &Gateway{store: store, now: now}
}

// request is what every changing call has in common.
type request struct {
	operation   string
	key         string
	code        string // the authorisation it addresses
	fingerprint string
}

// transition computes an authorisation's next state, or why the request is refused.
type transition func(current State, exists bool) (State, error)

func (g *Gateway) PreAuthorize(ctx context.Context, req gateway.PreAuthorizeRequest) (gateway.Authorization, error) {
	if err := gateway.CheckAmount(gateway.OpPreAuthorize, req.Amount); err != nil {
		return gateway.Authorization{}, err
	}
	code := DerivedID("auth", req.IdempotencyKey)
	return g.apply(ctx, request{
		operation:   gateway.OpPreAuthorize,
		key:         req.IdempotencyKey,
		code:        code,
		fingerprint: gateway.Fingerprint(gateway.OpPreAuthorize, req.PaymentToken, fmt.Sprint(req.Amount.Amount), req.Amount.Currency),
	}, func(current State, exists bool) (State, error) {
		switch {
		case exists: // its code comes from this unused key: state without its key record
			return State{}, &gateway.InvalidTransition{Operation: gateway.OpPreAuthorize, Current: current.Authorization}
		case req.PaymentToken == DeclinedToken:
			return State{}, &steperr.PaymentDeclined{Reason: "the issuer declined the pre-authorisation"}
		}
		return State{
			Authorization:   gateway.Authorization{Code: code, Amount: req.Amount, Status: gateway.StatusAuthorized},
			FareID:          req.FareID,
			DeclinesCapture: req.PaymentToken == CaptureDeclinedToken,
		}, nil
	})
}

func (g *Gateway) Capture(ctx context.Context, req gateway.CaptureRequest) (gateway.Authorization, error) {
	if err := gateway.CheckAmount(gateway.OpCapture, req.Amount); err != nil {
		return gateway.Authorization{}, err
	}
	return g.apply(ctx, request{
		operation:   gateway.OpCapture,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: gateway.Fingerprint(gateway.OpCapture, req.AuthorizationCode, fmt.Sprint(req.Amount.Amount), req.Amount.Currency),
	}, func(current State, exists bool) (State, error) {
		if exists && current.Status == gateway.StatusExpired {
			return State{}, &gateway.AuthorizationExpired{Code: current.Code, ExpiredAt: current.expiresAt()}
		}
		return requireStatus(gateway.OpCapture, gateway.StatusAuthorized, func(next State) (State, error) {
			switch {
			case req.Amount.Currency != next.Amount.Currency:
				return State{}, &steperr.GatewayRejected{Operation: gateway.OpCapture, Reason: "capture currency differs from the authorised currency"}
			case req.Amount.Amount > next.Amount.Amount:
				return State{}, &steperr.GatewayRejected{Operation: gateway.OpCapture, Reason: "capture amount exceeds the authorised amount"}
			case next.DeclinesCapture:
				return State{}, &steperr.CaptureDeclined{Reason: "the issuer declined the capture"}
			}
			next.Status, next.Captured, next.ChargeID = gateway.StatusCaptured, req.Amount, DerivedID("ch", req.IdempotencyKey)
			return next, nil
		})(current, exists)
	})
}

func (g *Gateway) Void(ctx context.Context, req gateway.VoidRequest) (gateway.Authorization, error) {
	voidAuthorized := requireStatus(gateway.OpVoid, gateway.StatusAuthorized, func(next State) (State, error) {
		next.Status, next.VoidID = gateway.StatusVoided, DerivedID("void", req.IdempotencyKey)
		return next, nil
	})
	return g.apply(ctx, request{
		operation:   gateway.OpVoid,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: gateway.Fingerprint(gateway.OpVoid, req.AuthorizationCode),
	}, func(current State, exists bool) (State, error) {
		if exists && (current.Status == gateway.StatusVoided || current.Status == gateway.StatusExpired) {
			return current, nil // releasing what is released is harmless, so it is not an error
		}
		return voidAuthorized(current, exists)
	})
}

func (g *Gateway) Refund(ctx context.Context, req gateway.RefundRequest) (gateway.Authorization, error) {
	return g.apply(ctx, request{
		operation:   gateway.OpRefund,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: gateway.Fingerprint(gateway.OpRefund, req.AuthorizationCode),
	}, requireStatus(gateway.OpRefund, gateway.StatusCaptured, func(next State) (State, error) {
		next.Status, next.RefundID = gateway.StatusRefunded, DerivedID("re", req.IdempotencyKey)
		return next, nil
	}))
}

func (g *Gateway) Lookup(ctx context.Context, idempotencyKey string) (gateway.Authorization, bool, error) {
	rec, found, err := g.store.idempotencyRecord(ctx, idempotencyKey)
	if err != nil || !found || rec.Operation == opCancel {
		return gateway.Authorization{}, false, unavailable(gateway.OpLookup, err)
	}
	auth, exists, err := g.authorization(ctx, rec.Code)
	if err != nil {
		return gateway.Authorization{}, false, unavailable(gateway.OpLookup, err)
	}
	if !exists {
		return gateway.Authorization{}, false, fmt.Errorf("gateway lookup: key %s names authorisation %s, which does not exist", idempotencyKey, rec.Code)
	}
	return auth.Authorization, true, nil
}

func (g *Gateway) CancelPreAuthorization(ctx context.Context, preauthKey string) (gateway.Authorization, bool, error) {
	if err := gateway.CheckKey(opCancel, preauthKey); err != nil {
		return gateway.Authorization{}, false, err
	}
	code := DerivedID("auth", preauthKey)
	for range maxCommitAttempts {
		current, exists, err := g.authorization(ctx, code)
		if err != nil {
			return gateway.Authorization{}, false, unavailable(opCancel, err)
		}
		prior, used, err := g.store.idempotencyRecord(ctx, preauthKey)
		switch {
		case err != nil:
			return gateway.Authorization{}, false, unavailable(opCancel, err)
		case used && prior.Operation == opCancel:
			return gateway.Authorization{}, false, nil
		case used && exists:
			return current.Authorization, true, nil
		case used:
			return gateway.Authorization{}, false, fmt.Errorf("gateway: key %s names authorisation %s, which does not exist", preauthKey, code)
		}
		// Nothing was authorised: the key and its authorisation code are taken by a
		// cancelled record, which any later PreAuthorize under the key runs into.
		now := g.now().UTC()
		cancelled := State{Authorization: gateway.Authorization{Code: code, Status: gateway.StatusVoided},
			Version: current.Version + 1, CreatedAt: now, UpdatedAt: now}
		rec := keyRecord{Key: preauthKey, Operation: opCancel, Code: code, Response: cancelled.Authorization, CreatedAt: now}
		err = g.store.commit(ctx, rec, cancelled, current.Version)
		if errors.Is(err, errStoreConflict) {
			continue
		}
		if err != nil {
			return gateway.Authorization{}, false, unavailable(opCancel, err)
		}
		return gateway.Authorization{}, false, nil
	}
	return gateway.Authorization{}, false, &steperr.GatewayUnavailable{Operation: opCancel}
}

// State returns what the gateway holds for the authorisation that a request under key
// addressed (a cancelled key's tombstone included), whether or not that request took
// effect, and false when no request used the key. Tests and operators read it; the saga
// uses Lookup.
func (g *Gateway) State(ctx context.Context, key string) (State, bool, error) {
	rec, found, err := g.store.idempotencyRecord(ctx, key)
	if err != nil || !found {
		return State{}, false, err
	}
	state, exists, err := g.authorization(ctx, rec.Code)
	if err == nil && !exists {
		err = fmt.Errorf("key %s names authorisation %s, which does not exist", key, rec.Code)
	}
	return state, err == nil, err
}

// authorization reads an authorisation as it stands now: one left uncaptured for longer
// than gateway.AuthorizationLifetime has expired, whether or not anything was written
// since.
func (g *Gateway) authorization(ctx context.Context, code string) (State, bool, error) {
	state, exists, err := g.store.authorization(ctx, code)
	if exists && state.Status == gateway.StatusAuthorized && !g.now().Before(state.expiresAt()) {
		state.Status = gateway.StatusExpired
	}
	return state, exists, err
}

// apply runs one changing request: replay it if its key was used, otherwise compute the
// transition and commit it with the key, reading again whenever a concurrent request
// committed first.
func (g *Gateway) apply(ctx context.Context, req request, change transition) (gateway.Authorization, error) {
	if err := gateway.CheckKey(req.operation, req.key); err != nil {
		return gateway.Authorization{}, err
	}
	for range maxCommitAttempts {
		// The authorisation is read before the key: a concurrent request that commits
		// between the two reads is then seen as a used key (a replay), and one that
		// commits after both fails our commit on the version. Read the other way round,
		// a concurrent replay could be judged against the state it created and refused.
		current, exists, err := g.authorization(ctx, req.code)
		if err != nil {
			return gateway.Authorization{}, unavailable(req.operation, err)
		}
		prior, used, err := g.store.idempotencyRecord(ctx, req.key)
		if err != nil {
			return gateway.Authorization{}, unavailable(req.operation, err)
		}
		if used {
			return replay(req, prior)
		}
		next, err := change(current, exists)
		if err != nil {
			return gateway.Authorization{}, err
		}
		now := g.now().UTC()
		next.Version, next.UpdatedAt = current.Version+1, now
		if !exists {
			next.CreatedAt = now
		}
		rec := keyRecord{Key: req.key, Operation: req.operation, Fingerprint: req.fingerprint,
			Code: req.code, Response: next.Authorization, CreatedAt: now}
		err = g.store.commit(ctx, rec, next, current.Version)
		if errors.Is(err, errStoreConflict) {
			continue
		}
		if err != nil {
			return gateway.Authorization{}, unavailable(req.operation, err)
		}
		return next.Authorization, nil
	}
	return gateway.Authorization{}, &steperr.GatewayUnavailable{Operation: req.operation}
}

func replay(req request, prior keyRecord) (gateway.Authorization, error) {
	if prior.Operation == opCancel {
		return gateway.Authorization{}, &gateway.PreAuthorizationCancelled{Key: req.key}
	}
	if prior.Operation != req.operation {
		return gateway.Authorization{}, &gateway.IdempotencyConflict{Operation: req.operation, Key: req.key,
			Detail: "it was used for " + prior.Operation}
	}
	if prior.Fingerprint != req.fingerprint {
		return gateway.Authorization{}, &gateway.IdempotencyConflict{Operation: req.operation, Key: req.key,
			Detail: "with other parameters"}
	}
	return prior.Response, nil
}

// requireStatus is a transition allowed only from one status; then it applies move.
func requireStatus(operation string, from gateway.Status, move func(State) (State, error)) transition {
	return func(current State, exists bool) (State, error) {
		if !exists {
			return State{}, &steperr.GatewayRejected{Operation: operation, Reason: "no such authorisation"}
		}
		if current.Status != from {
			return State{}, &gateway.InvalidTransition{Operation: operation, Current: current.Authorization}
		}
		return move(current)
	}
}

// unavailable is how a store failure looks from outside: the gateway did not answer.
// The cause stays in the chain for our logs. A nil err stays nil.
func unavailable(operation string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", &steperr.GatewayUnavailable{Operation: operation}, err)
}
