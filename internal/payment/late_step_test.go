package payment

import (
	"github.com/faresaga/faresaga/internal/money"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/steperr"
)

func (f *fixture) mustCompensate(customerID string, compensations ...compensation) {
	f.t.Helper()
	for _, compensate := range compensations {
		_, err := compensate(f.svc)(f.ctx, input("fare-1", customerID, 0))
		require.NoError(f.t, err)
	}
}

// A forward step that arrives after its compensation (a late retry, or a slow first
// invocation) must do nothing, or undo what it did, and leave no net charge or hold.
func TestForwardStepAfterItsCompensationDoesNothing(t *testing.T) {
	preAuthorize := func(f *fixture) (PaymentResult, error) {
		return f.svc.PreAuthorizePayment(f.ctx, input("fare-1", "cust-1", 3))
	}
	charge := func(f *fixture) (PaymentResult, error) { return f.svc.ChargeFare(f.ctx, input("fare-1", "cust-1", 3)) }
	compensateAll := func(f *fixture) { f.mustCompensate("cust-1", refundFare, voidPreAuthorization) }

	tests := []struct {
		name        string
		before      []sagaAction
		interleave  func(f *fixture) // arranges when the compensations run
		late        func(f *fixture) (PaymentResult, error)
		wantGateway gateway.Status // final state of the authorisation under the key (a cancellation is VOIDED)
		wantRecord  PaymentStatus
		wantEffects int64
	}{
		{"PreAuthorizePayment after VoidPreAuthorization found nothing", nil,
			func(f *fixture) { f.mustCompensate("cust-1", voidPreAuthorization) },
			preAuthorize, gateway.StatusVoided, PaymentVoided, 1}, // the cancellation, nothing else
		{"PreAuthorizePayment overtaken by VoidPreAuthorization before its gateway call", nil,
			func(f *fixture) {
				f.gateway.around(gateway.OpPreAuthorize, func() { f.mustCompensate("cust-1", voidPreAuthorization) }, nil)
			},
			// One effect: the cancellation. The gateway refuses the late
			// pre-authorisation, so no hold is ever made.
			preAuthorize, gateway.StatusVoided, PaymentVoided, 1},
		{"PreAuthorizePayment overtaken by VoidPreAuthorization after its gateway call", nil,
			func(f *fixture) {
				f.gateway.around(gateway.OpPreAuthorize, nil, func() { f.mustCompensate("cust-1", voidPreAuthorization) })
			},
			preAuthorize, gateway.StatusVoided, PaymentVoided, 2},
		{"ChargeFare after the compensations", []sagaAction{preAuthorized},
			compensateAll, charge, gateway.StatusVoided, PaymentVoided, 2},
		{"ChargeFare after the compensations of a captured fare", []sagaAction{preAuthorized, charged},
			compensateAll, charge, gateway.StatusRefunded, PaymentRefunded, 3},
		{"ChargeFare overtaken by the compensations before its capture", []sagaAction{preAuthorized},
			func(f *fixture) { f.gateway.around(gateway.OpCapture, func() { compensateAll(f) }, nil) },
			charge, gateway.StatusVoided, PaymentVoided, 2},
		{"ChargeFare overtaken by RefundFare after its capture", []sagaAction{preAuthorized},
			func(f *fixture) {
				f.gateway.around(gateway.OpCapture, nil, func() { f.mustCompensate("cust-1", refundFare) })
			},
			charge, gateway.StatusRefunded, PaymentRefunded, 3},
		{"ChargeFare overtaken by both compensations after its capture", []sagaAction{preAuthorized},
			func(f *fixture) { f.gateway.around(gateway.OpCapture, nil, func() { compensateAll(f) }) },
			charge, gateway.StatusRefunded, PaymentRefunded, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, action := range tt.before {
				action(f, "cust-1")
			}
			tt.interleave(f)
			_, err := tt.late(f)
			require.Error(t, err)
			assert.Equal(t, "FareAlreadyCompensated", steperr.Name(err), "%v", err)

			auth, found := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, tt.wantGateway, auth.Status)
			assert.True(t, !found || auth.Status.Final(), "no hold and no charge may remain")
			assert.Equal(t, tt.wantEffects, auth.Version)
			rec, _ := f.payment("fare-1")
			assert.Equal(t, tt.wantRecord, rec.Status)

			// The compensations, run again now, still succeed and change nothing.
			f.mustCompensate("cust-1", refundFare, voidPreAuthorization)
			again, _ := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, auth, again)
		})
	}
}

// The hole the chaos run found: a pre-authorisation delivered late reaches the gateway
// after VoidPreAuthorization found nothing, and then cannot record or undo itself (its
// Lambda dies, DynamoDB throttles it). The gateway must refuse it, so no hold remains.
func TestALatePreAuthorizationThatCannotFinishLeavesNoHold(t *testing.T) {
	f := newFixture(t)
	f.mustCompensate("cust-1", voidPreAuthorization)
	_, err := f.gateway.PreAuthorize(f.ctx, gateway.PreAuthorizeRequest{IdempotencyKey: keyOf("preauth", "fare-1"),
		PaymentToken: "tok_1", Amount: money.Money{Amount: 1250, Currency: "EUR"}})
	var cancelled *gateway.PreAuthorizationCancelled
	require.ErrorAs(t, err, &cancelled)
	assert.Equal(t, "GatewayRejected", steperr.Name(steperr.ForStepFunctions("preauthorize", err)))
	_, found, err := f.gateway.Lookup(f.ctx, keyOf("preauth", "fare-1"))
	require.NoError(t, err)
	assert.False(t, found, "nothing was ever authorised under the key")
}
