package payment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/steperr"
)

// An authorisation left uncaptured past its lifetime is released by the issuer: the
// capture fails saying so, and the compensations find nothing to refund or void, but
// still fence the fare against a late step.
func TestAnExpiredAuthorizationIsNotCapturedAndLeavesNothingToVoid(t *testing.T) {
	f := newFixture(t)
	f.mustPreAuthorize("fare-1", "cust-1")
	f.gatewayAge = gateway.AuthorizationLifetime

	_, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust-1", 0))
	require.Error(t, err)
	assert.Equal(t, "CaptureDeclined", steperr.Name(err))
	assert.Contains(t, err.Error(), "expired")

	refund, err := f.svc.RefundFare(f.ctx, input("fare-1", "cust-1", 0))
	require.NoError(t, err)
	assert.Equal(t, OutcomeNothingToRefund, refund.Outcome)
	for attempt := range 2 {
		void, err := f.svc.VoidPreAuthorization(f.ctx, input("fare-1", "cust-1", attempt))
		require.NoError(t, err)
		assert.Equal(t, OutcomeNothingToVoid, void.Outcome, void.Detail)
		assert.Contains(t, void.Detail, "expired")
	}

	auth, _ := f.authorization(keyOf("preauth", "fare-1"))
	assert.Equal(t, gateway.StatusExpired, auth.Status)
	assert.Equal(t, int64(1), auth.Version, "the gateway applied nothing after the pre-authorisation")
	rec, _ := f.payment("fare-1")
	assert.Equal(t, PaymentVoided, rec.Status, "the record says nothing is held")

	_, err = f.svc.ChargeFare(f.ctx, input("fare-1", "cust-1", 3))
	assert.Equal(t, "FareAlreadyCompensated", steperr.Name(err), "a late capture is fenced: %v", err)
}
