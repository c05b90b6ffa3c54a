package payment

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Test tokens the simulated gateway answers specially, like a provider's sandbox.
const (
	// DeclinedToken is declined at pre-authorisation.
	DeclinedToken = "tok_declined"
	// CaptureDeclinedToken is pre-authorised, then declined at capture.
	CaptureDeclinedToken = "tok_capture_declined"
)

// Operation names, as they appear in gateway errors and idempotency records.
const (
	opPreAuthorize = "preauthorize"
	opCapture      = "capture"
	opVoid         = "void"
	opRefund       = "refund"
	opLookup       = "lookup"
	opCancel       = "cancel"
)

// maxCommitAttempts bounds the read-decide-commit loop under contention. Each lost race
// means another request applied, and after a few the answer is a replay or a refusal.
const maxCommitAttempts = 8

// SimulatedGateway is a deterministic payment gateway with a real gateway's contract:
// idempotent replays, refused key reuse, enforced transitions, and ids derived from the
// idempotency key. It is the default gateway of the saga.
type SimulatedGateway struct {
	store GatewayStore
	now   func() time.Time
}

var _ Gateway = (*SimulatedGateway)(nil)

// NewSimulatedGateway returns a gateway keeping its state in store (NewMemoryGatewayStore
// or NewDynamoGatewayStore); now stamps its records (nil: time.Now).
func NewSimulatedGateway(store GatewayStore, now func() time.Time) *SimulatedGateway {
	if now == nil {
		now = time.Now
	}
	return &SimulatedGateway{store: store, now: now}
}

// request is what every changing call has in common.
type request struct {
	operation   string
	key         string
	code        string // the authorisation it addresses
	fingerprint string
}

// transition computes an authorisation's next state, or why the request is refused.
type transition func(current authState, exists bool) (authState, error)

func (g *SimulatedGateway) PreAuthorize(ctx context.Context, req PreAuthorizeRequest) (Authorization, error) {
	if err := checkAmount(opPreAuthorize, req.Amount); err != nil {
		return Authorization{}, err
	}
	code := derivedID("auth", req.IdempotencyKey)
	return g.apply(ctx, request{
		operation:   opPreAuthorize,
		key:         req.IdempotencyKey,
		code:        code,
		fingerprint: fingerprint(opPreAuthorize, req.PaymentToken, fmt.Sprint(req.Amount.Amount), req.Amount.Currency),
	}, func(current authState, exists bool) (authState, error) {
		switch {
		case exists: // its code comes from this unused key: state without its key record
			return authState{}, &InvalidTransition{Operation: opPreAuthorize, Current: current.Authorization}
		case req.PaymentToken == DeclinedToken:
			return authState{}, &steperr.PaymentDeclined{Reason: "the issuer declined the pre-authorisation"}
		}
		return authState{
			Authorization:   Authorization{Code: code, Amount: req.Amount, Status: StatusAuthorized},
			DeclinesCapture: req.PaymentToken == CaptureDeclinedToken,
		}, nil
	})
}

func (g *SimulatedGateway) Capture(ctx context.Context, req CaptureRequest) (Authorization, error) {
	if err := checkAmount(opCapture, req.Amount); err != nil {
		return Authorization{}, err
	}
	return g.apply(ctx, request{
		operation:   opCapture,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: fingerprint(opCapture, req.AuthorizationCode, fmt.Sprint(req.Amount.Amount), req.Amount.Currency),
	}, requireStatus(opCapture, StatusAuthorized, func(next authState) (authState, error) {
		switch {
		case req.Amount.Currency != next.Amount.Currency:
			return authState{}, &steperr.GatewayRejected{Operation: opCapture, Reason: "capture currency differs from the authorised currency"}
		case req.Amount.Amount > next.Amount.Amount:
			return authState{}, &steperr.GatewayRejected{Operation: opCapture, Reason: "capture amount exceeds the authorised amount"}
		case next.DeclinesCapture:
			return authState{}, &steperr.CaptureDeclined{Reason: "the issuer declined the capture"}
		}
		next.Status, next.Captured, next.ChargeID = StatusCaptured, req.Amount, derivedID("ch", req.IdempotencyKey)
		return next, nil
	}))
}

func (g *SimulatedGateway) Void(ctx context.Context, req VoidRequest) (Authorization, error) {
	voidAuthorized := requireStatus(opVoid, StatusAuthorized, func(next authState) (authState, error) {
		next.Status, next.VoidID = StatusVoided, derivedID("void", req.IdempotencyKey)
		return next, nil
	})
	return g.apply(ctx, request{
		operation:   opVoid,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: fingerprint(opVoid, req.AuthorizationCode),
	}, func(current authState, exists bool) (authState, error) {
		if exists && current.Status == StatusVoided {
			return current, nil // voiding twice is harmless, so it is not an error
		}
		return voidAuthorized(current, exists)
	})
}

func (g *SimulatedGateway) Refund(ctx context.Context, req RefundRequest) (Authorization, error) {
	return g.apply(ctx, request{
		operation:   opRefund,
		key:         req.IdempotencyKey,
		code:        req.AuthorizationCode,
		fingerprint: fingerprint(opRefund, req.AuthorizationCode),
	}, requireStatus(opRefund, StatusCaptured, func(next authState) (authState, error) {
		next.Status, next.RefundID = StatusRefunded, derivedID("re", req.IdempotencyKey)
		return next, nil
	}))
}

func (g *SimulatedGateway) Lookup(ctx context.Context, idempotencyKey string) (Authorization, bool, error) {
	rec, found, err := g.store.idempotencyRecord(ctx, idempotencyKey)
	if err != nil || !found || rec.Operation == opCancel {
		return Authorization{}, false, unavailable(opLookup, err)
	}
	auth, exists, err := g.store.authorization(ctx, rec.Code)
	if err != nil {
		return Authorization{}, false, unavailable(opLookup, err)
	}
	if !exists {
		return Authorization{}, false, fmt.Errorf("gateway lookup: key %s names authorisation %s, which does not exist", idempotencyKey, rec.Code)
	}
	return auth.Authorization, true, nil
}

func (g *SimulatedGateway) CancelPreAuthorization(ctx context.Context, preauthKey string) (Authorization, bool, error) {
	code := derivedID("auth", preauthKey)
	for range maxCommitAttempts {
		current, exists, err := g.store.authorization(ctx, code)
		if err != nil {
			return Authorization{}, false, unavailable(opCancel, err)
		}
		prior, used, err := g.store.idempotencyRecord(ctx, preauthKey)
		switch {
		case err != nil:
			return Authorization{}, false, unavailable(opCancel, err)
		case used && prior.Operation == opCancel:
			return Authorization{}, false, nil
		case used && exists:
			return current.Authorization, true, nil
		case used:
			return Authorization{}, false, fmt.Errorf("gateway: key %s names authorisation %s, which does not exist", preauthKey, code)
		}
		// Nothing was authorised: the key and its authorisation code are taken by a
		// cancelled record, which any later PreAuthorize under the key runs into.
		now := g.now().UTC()
		cancelled := authState{Authorization: Authorization{Code: code, Status: StatusVoided},
			Version: current.Version + 1, CreatedAt: now, UpdatedAt: now}
		rec := keyRecord{Key: preauthKey, Operation: opCancel, Code: code, Response: cancelled.Authorization, CreatedAt: now}
		err = g.store.commit(ctx, rec, cancelled, current.Version)
		if errors.Is(err, errStoreConflict) {
			continue
		}
		if err != nil {
			return Authorization{}, false, unavailable(opCancel, err)
		}
		return Authorization{}, false, nil
	}
	return Authorization{}, false, &steperr.GatewayUnavailable{Operation: opCancel}
}

// apply runs one changing request: replay it if its key was used, otherwise compute the
// transition and commit it with the key, reading again whenever a concurrent request
// committed first.
func (g *SimulatedGateway) apply(ctx context.Context, req request, change transition) (Authorization, error) {
	if req.key == "" {
		return Authorization{}, &steperr.GatewayRejected{Operation: req.operation, Reason: "an idempotency key is required"}
	}
	for range maxCommitAttempts {
		// The authorisation is read before the key: a concurrent request that commits
		// between the two reads is then seen as a used key (a replay), and one that
		// commits after both fails our commit on the version. Read the other way round,
		// a concurrent replay could be judged against the state it created and refused.
		current, exists, err := g.store.authorization(ctx, req.code)
		if err != nil {
			return Authorization{}, unavailable(req.operation, err)
		}
		prior, used, err := g.store.idempotencyRecord(ctx, req.key)
		if err != nil {
			return Authorization{}, unavailable(req.operation, err)
		}
		if used {
			return replay(req, prior)
		}
		next, err := change(current, exists)
		if err != nil {
			return Authorization{}, err
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
			return Authorization{}, unavailable(req.operation, err)
		}
		return next.Authorization, nil
	}
	return Authorization{}, &steperr.GatewayUnavailable{Operation: req.operation}
}

func replay(req request, prior keyRecord) (Authorization, error) {
	if prior.Operation == opCancel {
		return Authorization{}, &PreAuthorizationCancelled{Key: req.key}
	}
	if prior.Operation != req.operation || prior.Fingerprint != req.fingerprint {
		return Authorization{}, &steperr.GatewayRejected{Operation: req.operation,
			Reason: "idempotency key " + req.key + " was already used for a different request"}
	}
	return prior.Response, nil
}

// requireStatus is a transition allowed only from one status; then it applies move.
func requireStatus(operation string, from Status, move func(authState) (authState, error)) transition {
	return func(current authState, exists bool) (authState, error) {
		if !exists {
			return authState{}, &steperr.GatewayRejected{Operation: operation, Reason: "no such authorisation"}
		}
		if current.Status != from {
			return authState{}, &InvalidTransition{Operation: operation, Current: current.Authorization}
		}
		return move(current)
	}
}

func checkAmount(operation string, m money.Money) error {
	if m.Amount <= 0 || m.Currency == "" {
		return &steperr.GatewayRejected{Operation: operation, Reason: "amount must be positive and name its currency"}
	}
	return nil
}

// unavailable is how a store failure looks from outside: the gateway did not answer.
// The cause stays in the chain for our logs. A nil err stays nil.
func unavailable(operation string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", &steperr.GatewayUnavailable{Operation: operation}, err)
}
