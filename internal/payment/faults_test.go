package payment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/steperr"
)

func TestFaultSwitchFailAuthDeclinesBeforeTheGateway(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.PreAuthorizePayment(f.ctx, input("fare-1", "cust_fail_auth", 0))
	require.Error(t, err)
	assert.Equal(t, "PaymentDeclined", steperr.Name(err))
	_, found := f.authorization(keyOf("preauth", "fare-1"))
	assert.False(t, found, "nothing reached the gateway")
	_, found = f.payment("fare-1")
	assert.False(t, found)
}

func TestFaultSwitchTransientChargeSucceedsOnTheThirdAttempt(t *testing.T) {
	f := newFixture(t)
	f.mustPreAuthorize("fare-1", "cust_transient_charge")
	for attempt := range faults.TransientFailures {
		_, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust_transient_charge", attempt))
		require.Error(t, err, "attempt %d", attempt)
		assert.Equal(t, "GatewayUnavailable", steperr.Name(err))
		_, captured := f.authorization(keyOf("capture", "fare-1"))
		assert.False(t, captured, "a transient failure before the effect captures nothing")
	}
	result, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust_transient_charge", faults.TransientFailures))
	require.NoError(t, err)
	assert.Equal(t, PaymentCaptured, result.Status)
	auth, _ := f.authorization(keyOf("capture", "fare-1"))
	assert.Equal(t, int64(2), auth.Version)
}

func TestFaultSwitchLostChargeRetryReturnsTheSameCapture(t *testing.T) {
	f := newFixture(t)
	f.mustPreAuthorize("fare-1", "cust_lost_charge")

	_, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust_lost_charge", 0))
	require.Error(t, err)
	assert.Equal(t, "GatewayUnavailable", steperr.Name(err))
	lost, captured := f.authorization(keyOf("capture", "fare-1"))
	require.True(t, captured, "the capture happened though its response was lost")
	rec, _ := f.payment("fare-1")
	assert.Equal(t, PaymentPreauthorized, rec.Status, "and was not recorded")

	result, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust_lost_charge", 1))
	require.NoError(t, err)
	assert.Equal(t, lost.ChargeID, result.ChargeID)
	auth, _ := f.authorization(keyOf("capture", "fare-1"))
	assert.Equal(t, int64(2), auth.Version, "one pre-authorisation, one capture")
	rec, _ = f.payment("fare-1")
	assert.Equal(t, PaymentCaptured, rec.Status)
}

// Every error a handler returns is an unwrapped steperr type, whose Go type name is the
// error name the state machine's Retry and Catch match.
func TestHandlerErrorsCarryTheirStepFunctionsNames(t *testing.T) {
	tests := []struct {
		name       string
		customerID string
		before     []sagaAction
		run        func(f *fixture, customerID string) error
		want       string
	}{
		{"_fail_auth", "cust_fail_auth", nil, runPreAuthorize, "PaymentDeclined"},
		{"_transient_auth", "cust_transient_auth", nil, runPreAuthorize, "GatewayUnavailable"},
		{"_lost_auth", "cust_lost_auth", nil, runPreAuthorize, "GatewayUnavailable"},
		{"_fail_charge", "cust_fail_charge", []sagaAction{preAuthorized}, runCharge, "CaptureDeclined"},
		{"_fail_void makes ChargeFare fail for good", "cust_fail_void", []sagaAction{preAuthorized}, runCharge, "CaptureDeclined"},
		{"charge without pre-authorisation", "cust-1", nil, runCharge, "PaymentNotAuthorized"},
		{"charge after compensation", "cust-1", []sagaAction{preAuthorized, refundRan, voided}, runCharge, "FareAlreadyCompensated"},
		{"_fail_refund", "cust_fail_refund", nil, runRefund, "InjectedFailure"},
		{"_transient_refund", "cust_transient_refund", nil, runRefund, "GatewayUnavailable"},
		{"_lost_refund", "cust_lost_refund", []sagaAction{preAuthorized, charged}, runRefund, "GatewayUnavailable"},
		{"_fail_void", "cust_fail_void", nil, runVoid, "InjectedFailure"},
		{"_lost_void", "cust_lost_void", []sagaAction{preAuthorized}, runVoid, "GatewayUnavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, action := range tt.before {
				action(f, tt.customerID)
			}
			err := tt.run(f, tt.customerID)
			require.Error(t, err)
			assert.Equal(t, tt.want, steperr.Name(err), "%v", err)
		})
	}
}

func voided(f *fixture, customerID string) { f.mustCompensate(customerID, voidPreAuthorization) }

func runPreAuthorize(f *fixture, customerID string) error {
	_, err := f.svc.PreAuthorizePayment(f.ctx, input("fare-1", customerID, 0))
	return err
}

func runCharge(f *fixture, customerID string) error {
	_, err := f.svc.ChargeFare(f.ctx, input("fare-1", customerID, 0))
	return err
}

func runRefund(f *fixture, customerID string) error {
	_, err := f.svc.RefundFare(f.ctx, input("fare-1", customerID, 0))
	return err
}

func runVoid(f *fixture, customerID string) error {
	_, err := f.svc.VoidPreAuthorization(f.ctx, input("fare-1", customerID, 0))
	return err
}
