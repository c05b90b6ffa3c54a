package payment

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// sagaAction is something that happened to fare-1 before the compensation under test.
type sagaAction func(f *fixture, customerID string)

func preAuthorized(f *fixture, customerID string) { f.mustPreAuthorize("fare-1", customerID) }
func charged(f *fixture, customerID string)       { f.mustCharge("fare-1", customerID) }

func refundRan(f *fixture, customerID string) {
	_, err := f.svc.RefundFare(f.ctx, input("fare-1", customerID, 0))
	require.NoError(f.t, err)
}

// lostResponse runs a step whose gateway call takes effect but whose response is lost
// (the customer carries a _lost_ switch), so the Payments table is not updated.
func lostResponse(run func(*Service) func(context.Context, saga.StepInput) (PaymentResult, error)) sagaAction {
	return func(f *fixture, customerID string) {
		_, err := run(f.svc)(f.ctx, input("fare-1", customerID, 0))
		require.Error(f.t, err)
		require.Equal(f.t, "GatewayUnavailable", steperr.Name(err))
	}
}

var (
	preAuthorizeLost = lostResponse(func(s *Service) func(context.Context, saga.StepInput) (PaymentResult, error) {
		return s.PreAuthorizePayment
	})
	chargeLost = lostResponse(func(s *Service) func(context.Context, saga.StepInput) (PaymentResult, error) { return s.ChargeFare })
)

type compensation func(*Service) func(context.Context, saga.StepInput) (saga.CompensationResult, error)

func refundFare(s *Service) func(context.Context, saga.StepInput) (saga.CompensationResult, error) {
	return s.RefundFare
}

func voidPreAuthorization(s *Service) func(context.Context, saga.StepInput) (saga.CompensationResult, error) {
	return s.VoidPreAuthorization
}

func TestCompensations(t *testing.T) {
	tests := []struct {
		name        string
		customerID  string
		before      []sagaAction
		compensate  compensation
		wantOutcome string
		wantRecord  PaymentStatus  // "" for no record
		wantGateway gateway.Status // of the fare's authorisation; "" for none
		wantEffects int64          // gateway changes to the authorisation
	}{
		{"RefundFare after a capture", "cust-1", []sagaAction{preAuthorized, charged},
			refundFare, OutcomeRefunded, PaymentRefunded, gateway.StatusRefunded, 3},
		{"RefundFare after a capture whose response was lost", "cust_lost_charge", []sagaAction{preAuthorized, chargeLost},
			refundFare, OutcomeRefunded, PaymentRefunded, gateway.StatusRefunded, 3},
		{"RefundFare without a capture leaves the record", "cust-1", []sagaAction{preAuthorized},
			refundFare, OutcomeNothingToRefund, PaymentPreauthorized, gateway.StatusAuthorized, 1},
		{"RefundFare with no payment at all", "cust-1", nil,
			refundFare, OutcomeNothingToRefund, "", "", 0},
		{"VoidPreAuthorization after a pre-authorisation", "cust-1", []sagaAction{preAuthorized},
			voidPreAuthorization, OutcomeVoided, PaymentVoided, gateway.StatusVoided, 2},
		{"VoidPreAuthorization after a pre-authorisation whose response was lost", "cust_lost_auth", []sagaAction{preAuthorizeLost},
			voidPreAuthorization, OutcomeVoided, PaymentVoided, gateway.StatusVoided, 2},
		// The gateway keeps the cancellation: a VOIDED record nothing was ever authorised under.
		{"VoidPreAuthorization without a pre-authorisation leaves a tombstone", "cust-1", nil,
			voidPreAuthorization, OutcomeNothingToVoid, PaymentVoided, gateway.StatusVoided, 1},
		{"VoidPreAuthorization after RefundFare refunded", "cust-1", []sagaAction{preAuthorized, charged, refundRan},
			voidPreAuthorization, OutcomeAlreadyRefunded, PaymentRefunded, gateway.StatusRefunded, 3},
		{"VoidPreAuthorization after RefundFare found nothing to refund", "cust-1", []sagaAction{preAuthorized, refundRan},
			voidPreAuthorization, OutcomeVoided, PaymentVoided, gateway.StatusVoided, 2},
		{"VoidPreAuthorization refunds a capture made after RefundFare", "cust-1", []sagaAction{preAuthorized, refundRan, charged},
			voidPreAuthorization, OutcomeRefunded, PaymentRefunded, gateway.StatusRefunded, 3},
		{"VoidPreAuthorization refunds a lost capture made after RefundFare", "cust_lost_charge", []sagaAction{preAuthorized, refundRan, chargeLost},
			voidPreAuthorization, OutcomeRefunded, PaymentRefunded, gateway.StatusRefunded, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, action := range tt.before {
				action(f, tt.customerID)
			}
			// Compensations run again on any error, and Step Functions may run any
			// Task twice: a second run must repeat the first without a second effect.
			first, err := tt.compensate(f.svc)(f.ctx, input("fare-1", tt.customerID, 0))
			require.NoError(t, err)
			second, err := tt.compensate(f.svc)(f.ctx, input("fare-1", tt.customerID, 1))
			require.NoError(t, err)

			assert.Equal(t, tt.wantOutcome, first.Outcome, first.Detail)
			assert.Equal(t, "fare-1", first.FareID)
			assert.Equal(t, first, second)
			rec, found := f.payment("fare-1")
			assert.Equal(t, tt.wantRecord, rec.Status)
			assert.Equal(t, tt.wantRecord != "", found)
			auth, _ := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, tt.wantGateway, auth.Status)
			assert.Equal(t, tt.wantEffects, auth.Version)
			if _, authorised, err := f.gateway.Lookup(f.ctx, keyOf("preauth", "fare-1")); err == nil && authorised {
				assert.Equal(t, auth.Code, rec.AuthorizationCode, "the record names the authorisation")
				assert.Equal(t, auth.VoidID, rec.VoidID)
				assert.Equal(t, auth.RefundID, rec.RefundID)
			}
		})
	}
}

func TestCompensationsOfAnInvalidFareDoNothing(t *testing.T) {
	tests := []struct {
		compensate  compensation
		wantOutcome string
	}{
		{refundFare, OutcomeNothingToRefund},
		{voidPreAuthorization, OutcomeNothingToVoid},
	}
	for _, tt := range tests {
		t.Run(tt.wantOutcome, func(t *testing.T) {
			f := newFixture(t)
			result, err := tt.compensate(f.svc)(f.ctx, saga.StepInput{Fare: []byte(`{"fareId":"fare-1","cc":"4111111111111111"}`)})
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutcome, result.Outcome)
			assert.NotContains(t, f.logs.String(), "4111111111111111")
		})
	}
}

// The gateway may change between a compensation's lookup and its action; the
// compensation follows it to a final state.
func TestVoidPreAuthorizationFollowsTheGateway(t *testing.T) {
	tests := []struct {
		name        string
		before      []sagaAction
		interleave  func(f *fixture)
		wantOutcome string
		wantGateway gateway.Status
		wantEffects int64
	}{
		{"a capture lands between its lookup and its void", []sagaAction{preAuthorized, refundRan},
			func(f *fixture) { f.gateway.around(gateway.OpVoid, func() { charged(f, "cust-1") }, nil) },
			OutcomeRefunded, gateway.StatusRefunded, 3},
		{"a pre-authorisation lands just before the cancellation", nil,
			func(f *fixture) { f.gateway.around(gateway.OpCancel, func() { preAuthorized(f, "cust-1") }, nil) },
			OutcomeVoided, gateway.StatusVoided, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, action := range tt.before {
				action(f, "cust-1")
			}
			tt.interleave(f)
			result, err := f.svc.VoidPreAuthorization(f.ctx, input("fare-1", "cust-1", 0))
			require.NoError(t, err)
			assert.Equal(t, tt.wantOutcome, result.Outcome, result.Detail)
			auth, _ := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, tt.wantGateway, auth.Status)
			assert.Equal(t, tt.wantEffects, auth.Version)
			rec, _ := f.payment("fare-1")
			assert.Equal(t, paymentStatusOf[tt.wantGateway], rec.Status)
		})
	}
}
