// Package gatewaytest is the contract every payment gateway passes: one suite, run by
// each adapter's tests against the real thing or the nearest stand-in (the simulated
// gateway against both its stores; Stripe against stripe-mock and against a stateful
// fake Stripe API).
package gatewaytest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Target is one gateway under test, fresh for each case of the suite.
type Target struct {
	Gateway gateway.Gateway
	Tokens  Tokens
	// Age moves the gateway's clock forward, ageing its authorisations.
	Age func(time.Duration)
	// LoseNextResponse makes the gateway apply the next request of operation
	// (gateway.OpPreAuthorize, OpCapture, OpVoid or OpRefund) and lose its answer, as a
	// dropped connection would: the caller sees an error, the effect stands.
	LoseNextResponse func(operation string)
}

// Tokens are payment tokens with a known answer from the gateway's sandbox.
type Tokens struct {
	Approved        string // authorised and captured
	Declined        string // declined at pre-authorisation
	CaptureDeclined string // authorised, then declined at capture
}

// Run runs the contract against the targets newTarget makes.
func Run(t *testing.T, newTarget func(t *testing.T) Target) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			r := &run{t: t, ctx: context.Background(), target: newTarget(t)}
			for i, s := range c.steps {
				r.do(i, s)
			}
		})
	}
	t.Run("concurrent captures", func(t *testing.T) { concurrentCaptures(t, newTarget) })
}

// token names one of Tokens, so cases are written once for every gateway.
type token int

const (
	approved token = iota
	declined
	captureDeclined
)

func (t Target) token(which token) string {
	return [...]string{t.Tokens.Approved, t.Tokens.Declined, t.Tokens.CaptureDeclined}[which]
}

// run is one case in progress.
type run struct {
	t       *testing.T
	ctx     context.Context
	target  Target
	code    string // the authorisation the case works on, from its first pre-authorisation
	results []result
}

type result struct {
	auth  gateway.Authorization
	found bool
	err   error
}

// step is one call of a case and what it must give.
type step struct {
	label string
	call  func(r *run) result
	want  outcome
	// setup marks a step that changes the world, not the gateway: it has no answer.
	setup bool
}

type outcome struct {
	err      string           // Step Functions name of the error; "" for success
	errIs    func(error) bool // a further check of the error
	current  gateway.Status   // with an *InvalidTransition, the status it reports
	status   gateway.Status   // on success; "" with notFound
	notFound bool             // Lookup or CancelPreAuthorization found nothing
	sameAs   int              // 1-based index of an earlier step whose result this one repeats
	captured int64            // on success, when not 0
	contains string           // the error's text contains it
}

const (
	eur     = "EUR"
	keyPA   = "preauth:fare-1"
	keyCap  = "capture:fare-1"
	keyVoid = "void:fare-1"
	keyRef  = "refund:fare-1"
)

func amount(minor int64) money.Money { return money.Money{Amount: minor, Currency: eur} }

func preauthorize(key string, tok token, minor int64) step {
	return step{label: "PreAuthorize " + key, call: func(r *run) result {
		auth, err := r.target.Gateway.PreAuthorize(r.ctx, gateway.PreAuthorizeRequest{
			IdempotencyKey: key, FareID: "fare-1", PaymentToken: r.target.token(tok), Amount: amount(minor)})
		if err == nil && r.code == "" {
			r.code = auth.Code
		}
		return result{auth: auth, found: err == nil, err: err}
	}}
}

func captureOf(key string, code func(r *run) string, m money.Money) step {
	return step{label: "Capture " + key, call: func(r *run) result {
		auth, err := r.target.Gateway.Capture(r.ctx, gateway.CaptureRequest{
			IdempotencyKey: key, FareID: "fare-1", AuthorizationCode: code(r), Amount: m})
		return result{auth: auth, found: err == nil, err: err}
	}}
}

func theCode(r *run) string { return r.code }

func capture(key string, minor int64) step { return captureOf(key, theCode, amount(minor)) }

func void(key string) step {
	return step{label: "Void " + key, call: func(r *run) result {
		auth, err := r.target.Gateway.Void(r.ctx, gateway.VoidRequest{IdempotencyKey: key, FareID: "fare-1", AuthorizationCode: r.code})
		return result{auth: auth, found: err == nil, err: err}
	}}
}

func refund(key string) step {
	return step{label: "Refund " + key, call: func(r *run) result {
		auth, err := r.target.Gateway.Refund(r.ctx, gateway.RefundRequest{IdempotencyKey: key, FareID: "fare-1", AuthorizationCode: r.code})
		return result{auth: auth, found: err == nil, err: err}
	}}
}

func lookup(key string) step {
	return finding("Lookup "+key, func(r *run) (gateway.Authorization, bool, error) {
		return r.target.Gateway.Lookup(r.ctx, key)
	})
}

func cancel(key string) step {
	return finding("CancelPreAuthorization "+key, func(r *run) (gateway.Authorization, bool, error) {
		return r.target.Gateway.CancelPreAuthorization(r.ctx, key)
	})
}

// finding is a step that may find an authorisation; the first one found is the case's.
func finding(label string, find func(r *run) (gateway.Authorization, bool, error)) step {
	return step{label: label, call: func(r *run) result {
		auth, found, err := find(r)
		if found && r.code == "" {
			r.code = auth.Code
		}
		return result{auth: auth, found: found, err: err}
	}}
}

func age(d time.Duration) step {
	return step{label: "age " + d.String(), setup: true, call: func(r *run) result { r.target.Age(d); return result{} }}
}

func lose(operation string) step {
	return step{label: "lose the next " + operation + " response", setup: true, call: func(r *run) result {
		r.target.LoseNextResponse(operation)
		return result{}
	}}
}

func (s step) gives(o outcome) step { s.want = o; return s }

func ok(status gateway.Status) outcome { return outcome{status: status} }
func same(index int) outcome           { return outcome{sameAs: index} }
func fails(name string) outcome        { return outcome{err: name} }
func nothing() outcome                 { return outcome{notFound: true} }
func refused(current gateway.Status) outcome {
	return outcome{err: "GatewayRejected", current: current}
}

func conflict() outcome {
	return outcome{err: "GatewayRejected", errIs: is[*gateway.IdempotencyConflict]}
}

func is[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func (r *run) do(i int, s step) {
	t := r.t
	t.Helper()
	got := s.call(r)
	r.results = append(r.results, got)
	where := []any{"step %d (%s)", i + 1, s.label}
	if s.setup {
		return
	}
	w := s.want
	if got.err != nil {
		for _, tok := range []string{r.target.Tokens.Approved, r.target.Tokens.Declined, r.target.Tokens.CaptureDeclined} {
			assert.NotContains(t, got.err.Error(), tok, "an error must never echo the payment token")
		}
	}
	if w.err != "" {
		require.Error(t, got.err, where...)
		assert.Equal(t, w.err, steperr.Name(steperr.ForStepFunctions("contract", got.err)), "step %d (%s): %v", i+1, s.label, got.err)
		if w.errIs != nil {
			assert.True(t, w.errIs(got.err), "step %d (%s): unexpected error %T: %v", i+1, s.label, got.err, got.err)
		}
		if w.current != "" {
			var moved *gateway.InvalidTransition
			if assert.ErrorAs(t, got.err, &moved, where...) {
				assert.Equal(t, w.current, moved.Current.Status, where...)
				assert.Equal(t, r.code, moved.Current.Code, where...)
			}
		}
		if w.contains != "" {
			assert.Contains(t, got.err.Error(), w.contains, where...)
		}
		return
	}
	require.NoError(t, got.err, where...)
	switch {
	case w.notFound:
		assert.False(t, got.found, "step %d (%s) found %+v", i+1, s.label, got.auth)
	case w.sameAs > 0:
		assert.Equal(t, r.results[w.sameAs-1].auth, got.auth, "step %d (%s) must repeat step %d", i+1, s.label, w.sameAs)
	default:
		require.True(t, got.found, where...)
		assert.Equal(t, w.status, got.auth.Status, where...)
		assert.Equal(t, r.code, got.auth.Code, where...)
		assert.Equal(t, eur, got.auth.Amount.Currency, where...)
		if w.captured != 0 {
			assert.Equal(t, w.captured, got.auth.Captured.Amount, where...)
		}
		assertIDs(t, got.auth, where)
	}
}

// assertIDs checks that an authorisation names the gateway's record of each change.
func assertIDs(t *testing.T, a gateway.Authorization, where []any) {
	t.Helper()
	switch a.Status {
	case gateway.StatusCaptured:
		assert.NotEmpty(t, a.ChargeID, where...)
	case gateway.StatusVoided:
		assert.NotEmpty(t, a.VoidID, where...)
	case gateway.StatusRefunded:
		assert.NotEmpty(t, a.ChargeID, where...)
		assert.NotEmpty(t, a.RefundID, where...)
	}
	if a.Status == gateway.StatusCaptured || a.Status == gateway.StatusRefunded {
		assert.Positive(t, a.Captured.Amount, where...)
	}
}

type contractCase struct {
	name  string
	steps []step
}

func cases() []contractCase {
	authorized := preauthorize(keyPA, approved, 1000).gives(ok(gateway.StatusAuthorized))
	long := func(prefix string) string {
		return prefix + strings.Repeat("k", gateway.MaxIdempotencyKeyLength-len(prefix))
	}
	return []contractCase{
		{"authorise, capture, refund", []step{
			authorized,
			capture(keyCap, 1000).gives(outcome{status: gateway.StatusCaptured, captured: 1000}),
			refund(keyRef).gives(ok(gateway.StatusRefunded)),
			lookup(keyPA).gives(ok(gateway.StatusRefunded)),
			lookup(keyCap).gives(ok(gateway.StatusRefunded)),
			lookup(keyRef).gives(ok(gateway.StatusRefunded)),
		}},
		{"a capture of less than the authorised amount", []step{
			authorized, capture(keyCap, 999).gives(outcome{status: gateway.StatusCaptured, captured: 999}),
		}},
		{"replays return the first result without a second effect", []step{
			authorized,
			preauthorize(keyPA, approved, 1000).gives(same(1)),
			capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
			capture(keyCap, 1000).gives(same(3)),
			refund(keyRef).gives(ok(gateway.StatusRefunded)),
			capture(keyCap, 1000).gives(same(3)), // the original answer, though refunded since
			refund(keyRef).gives(same(5)),
			refund("refund:other").gives(refused(gateway.StatusRefunded)),
		}},
		{"a void, its replay, and a void of what is voided", []step{
			authorized,
			void(keyVoid).gives(ok(gateway.StatusVoided)),
			void(keyVoid).gives(same(2)),
			void("void:other").gives(same(2)),
			lookup(keyVoid).gives(ok(gateway.StatusVoided)),
		}},
		{"a key reused for a different amount", []step{authorized, preauthorize(keyPA, approved, 999).gives(conflict())}},
		{"a key reused with a different token", []step{authorized, preauthorize(keyPA, captureDeclined, 1000).gives(conflict())}},
		{"a key reused for another operation", []step{authorized, void(keyPA).gives(conflict()), lookup(keyPA).gives(ok(gateway.StatusAuthorized))}},
		{"a capture key reused for a different amount", []step{
			authorized, capture(keyCap, 500).gives(ok(gateway.StatusCaptured)), capture(keyCap, 600).gives(conflict()),
		}},
		{"a capture above the authorised amount", []step{
			authorized, capture(keyCap, 1001).gives(fails("GatewayRejected")), capture("capture:2", 1000).gives(ok(gateway.StatusCaptured)),
		}},
		{"a capture in another currency", []step{
			authorized, captureOf(keyCap, theCode, money.Money{Amount: 1000, Currency: "USD"}).gives(fails("GatewayRejected")),
		}},
		{"a capture of an unknown authorisation", []step{
			authorized, captureOf(keyCap, func(*run) string { return "unknown_authorisation" }, amount(1000)).gives(fails("GatewayRejected")),
		}},
		{"a second capture under another key", []step{
			authorized, capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)), capture("capture:other", 1000).gives(refused(gateway.StatusCaptured)),
		}},
		{"a capture of a voided authorisation", []step{
			authorized, void(keyVoid).gives(ok(gateway.StatusVoided)), capture(keyCap, 1000).gives(refused(gateway.StatusVoided)),
			lookup(keyCap).gives(nothing()),
		}},
		{"a void of a captured authorisation", []step{
			authorized, capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)), void(keyVoid).gives(refused(gateway.StatusCaptured)),
			lookup(keyVoid).gives(nothing()),
		}},
		{"a refund of an authorisation never captured", []step{
			authorized, refund(keyRef).gives(refused(gateway.StatusAuthorized)), lookup(keyRef).gives(nothing()),
		}},
		{"a declined card", []step{
			preauthorize(keyPA, declined, 1000).gives(fails("PaymentDeclined")),
			preauthorize(keyPA, declined, 1000).gives(fails("PaymentDeclined")),
			lookup(keyPA).gives(nothing()),
			cancel(keyPA).gives(nothing()),
			lookup(keyPA).gives(nothing()),
		}},
		{"a declined capture leaves the authorisation to void", []step{
			preauthorize(keyPA, captureDeclined, 1000).gives(ok(gateway.StatusAuthorized)),
			capture(keyCap, 1000).gives(fails("CaptureDeclined")),
			lookup(keyCap).gives(nothing()),
			void(keyVoid).gives(ok(gateway.StatusVoided)),
		}},
		{"a missing idempotency key", []step{
			preauthorize("", approved, 1000).gives(fails("GatewayRejected")),
			authorized,
			capture("", 1000).gives(fails("GatewayRejected")),
			void("").gives(fails("GatewayRejected")),
			refund("").gives(fails("GatewayRejected")),
			lookup(keyPA).gives(ok(gateway.StatusAuthorized)),
		}},
		{"an idempotency key longer than allowed", []step{
			preauthorize(long("preauth:")+"k", approved, 1000).gives(fails("GatewayRejected")),
			lookup(long("preauth:") + "k").gives(nothing()),
		}},
		{"keys of the longest length allowed", []step{
			preauthorize(long("preauth:"), approved, 1000).gives(ok(gateway.StatusAuthorized)),
			capture(long("capture:"), 1000).gives(ok(gateway.StatusCaptured)),
			refund(long("refund:")).gives(ok(gateway.StatusRefunded)),
			preauthorize(long("preauth:"), approved, 1000).gives(same(1)),
			lookup(long("capture:")).gives(ok(gateway.StatusRefunded)),
			cancel(long("preauth:")).gives(ok(gateway.StatusRefunded)),
		}},
		{"a non-positive amount", []step{preauthorize(keyPA, approved, 0).gives(fails("GatewayRejected")), lookup(keyPA).gives(nothing())}},
		{"lookups report the current state, and only of keys that took effect", []step{
			authorized,
			capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
			void(keyVoid).gives(refused(gateway.StatusCaptured)),
			lookup(keyPA).gives(ok(gateway.StatusCaptured)), // the current state, not the first answer
			lookup(keyCap).gives(ok(gateway.StatusCaptured)),
			lookup(keyVoid).gives(nothing()),
			lookup("never-used").gives(nothing()),
		}},
		{"a cancellation before any pre-authorisation closes the key", []step{
			cancel(keyPA).gives(nothing()),
			preauthorize(keyPA, approved, 1000).gives(outcome{err: "GatewayRejected", errIs: is[*gateway.PreAuthorizationCancelled]}),
			cancel(keyPA).gives(nothing()),
			lookup(keyPA).gives(nothing()),
		}},
		{"a cancellation after a pre-authorisation hands it over", []step{
			authorized,
			cancel(keyPA).gives(ok(gateway.StatusAuthorized)),
			void(keyVoid).gives(ok(gateway.StatusVoided)),
			cancel(keyPA).gives(ok(gateway.StatusVoided)),
			preauthorize(keyPA, approved, 1000).gives(same(1)),
		}},
		{"a capture within the authorisation's lifetime", []step{
			authorized, age(gateway.AuthorizationLifetime - time.Hour), capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
		}},
		{"a capture after the authorisation expired", []step{
			authorized,
			age(gateway.AuthorizationLifetime + time.Hour),
			capture(keyCap, 1000).gives(outcome{err: "CaptureDeclined", errIs: is[*gateway.AuthorizationExpired], contains: "expired"}),
			lookup(keyPA).gives(ok(gateway.StatusExpired)),
			lookup(keyCap).gives(nothing()),
			cancel(keyPA).gives(ok(gateway.StatusExpired)),
			void(keyVoid).gives(ok(gateway.StatusExpired)), // nothing left to void, and no error
		}},
		{"a capture does not expire", []step{
			authorized, capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
			age(4 * gateway.AuthorizationLifetime),
			lookup(keyPA).gives(ok(gateway.StatusCaptured)),
			refund(keyRef).gives(ok(gateway.StatusRefunded)),
		}},
		{"a lost pre-authorisation response", []step{
			lose(gateway.OpPreAuthorize),
			preauthorize(keyPA, approved, 1000).gives(fails("GatewayUnavailable")),
			lookup(keyPA).gives(ok(gateway.StatusAuthorized)),
			preauthorize(keyPA, approved, 1000).gives(ok(gateway.StatusAuthorized)),
			capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
		}},
		{"a lost pre-authorisation response, then its compensation", []step{
			lose(gateway.OpPreAuthorize),
			preauthorize(keyPA, approved, 1000).gives(fails("GatewayUnavailable")),
			cancel(keyPA).gives(ok(gateway.StatusAuthorized)),
			void(keyVoid).gives(ok(gateway.StatusVoided)),
			lookup(keyPA).gives(ok(gateway.StatusVoided)),
		}},
		{"a lost capture response", []step{
			authorized,
			lose(gateway.OpCapture),
			capture(keyCap, 1000).gives(fails("GatewayUnavailable")),
			lookup(keyCap).gives(ok(gateway.StatusCaptured)),
			capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
			capture("capture:other", 1000).gives(refused(gateway.StatusCaptured)),
		}},
		{"a lost void response", []step{
			authorized,
			lose(gateway.OpVoid),
			void(keyVoid).gives(fails("GatewayUnavailable")),
			lookup(keyVoid).gives(ok(gateway.StatusVoided)),
			void(keyVoid).gives(ok(gateway.StatusVoided)),
			capture(keyCap, 1000).gives(refused(gateway.StatusVoided)),
		}},
		{"a lost refund response", []step{
			authorized,
			capture(keyCap, 1000).gives(ok(gateway.StatusCaptured)),
			lose(gateway.OpRefund),
			refund(keyRef).gives(fails("GatewayUnavailable")),
			lookup(keyRef).gives(ok(gateway.StatusRefunded)),
			refund(keyRef).gives(ok(gateway.StatusRefunded)),
			refund("refund:other").gives(refused(gateway.StatusRefunded)),
		}},
	}
}

// maxTransientRetries is how often a caller here retries a transient error, as the
// state machine's Retry would.
const maxTransientRetries = 5

// concurrentCaptures: Step Functions may start a retry while the first attempt still
// runs. Under one key both must get the capture, made once (a gateway may answer one
// of them "try again" while the other is in flight); under two keys one must be refused.
func concurrentCaptures(t *testing.T, newTarget func(t *testing.T) Target) {
	for _, keys := range [][2]string{{keyCap, keyCap}, {keyCap, "capture:other"}} {
		t.Run(keys[0]+" and "+keys[1], func(t *testing.T) {
			ctx := context.Background()
			target := newTarget(t)
			auth, err := target.Gateway.PreAuthorize(ctx, gateway.PreAuthorizeRequest{
				IdempotencyKey: keyPA, FareID: "fare-1", PaymentToken: target.Tokens.Approved, Amount: amount(1000)})
			require.NoError(t, err)

			var results [2]gateway.Authorization
			var errs [2]error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, key := range keys {
				wg.Go(func() {
					<-start
					for range maxTransientRetries {
						results[i], errs[i] = target.Gateway.Capture(ctx, gateway.CaptureRequest{
							IdempotencyKey: key, FareID: "fare-1", AuthorizationCode: auth.Code, Amount: amount(1000)})
						if !is[*steperr.GatewayUnavailable](errs[i]) {
							return
						}
					}
				})
			}
			close(start)
			wg.Wait()

			failed := 0
			for i, err := range errs {
				if err != nil {
					failed++
					var moved *gateway.InvalidTransition
					if assert.ErrorAs(t, err, &moved, "capture %d", i) {
						assert.Equal(t, gateway.StatusCaptured, moved.Current.Status)
					}
				}
			}
			if keys[0] == keys[1] {
				assert.Zero(t, failed, "the second capture under one key is a replay")
				assert.Equal(t, results[0], results[1])
			} else {
				assert.Equal(t, 1, failed, "exactly one of two captures under different keys applies")
			}
			now, found, err := target.Gateway.Lookup(ctx, keyPA)
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, gateway.StatusCaptured, now.Status)
			assert.Equal(t, int64(1000), now.Captured.Amount, "captured once")
		})
	}
}
