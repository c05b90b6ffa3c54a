package payment

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Another execution than the fare's owner never changes the owner's payment: not its
// Payments record, and not its authorisation at the gateway, which it does not even call.
func TestStepsOfAnotherExecutionLeaveTheOwnersPayment(t *testing.T) {
	later := sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z") // the name reused once Step Functions forgot the owner
	renamed := sagatest.Named("fare-1-again")                         // a client retrying under a fresh execution name
	type step func(*Service) func(context.Context, saga.StepInput) (any, error)
	forward := func(run func(*Service) func(context.Context, saga.StepInput) (PaymentResult, error)) step {
		return func(s *Service) func(context.Context, saga.StepInput) (any, error) {
			return func(ctx context.Context, in saga.StepInput) (any, error) { return run(s)(ctx, in) }
		}
	}
	compensating := func(run compensation) step {
		return func(s *Service) func(context.Context, saga.StepInput) (any, error) {
			return func(ctx context.Context, in saga.StepInput) (any, error) { return run(s)(ctx, in) }
		}
	}
	preAuthorize := forward(func(s *Service) func(context.Context, saga.StepInput) (PaymentResult, error) {
		return s.PreAuthorizePayment
	})
	charge := forward(func(s *Service) func(context.Context, saga.StepInput) (PaymentResult, error) { return s.ChargeFare })
	refund, void := compensating(refundFare), compensating(voidPreAuthorization)

	tests := []struct {
		name        string
		before      []sagaAction // the owner's steps
		by          *saga.Execution
		run         step
		wantErr     string // forward steps and payloads without execution
		wantOutcome string // compensations
	}{
		{"pre-authorise a pre-authorised fare, name reused", []sagaAction{preAuthorized}, later, preAuthorize, "FareConflict", ""},
		{"charge a pre-authorised fare, name reused", []sagaAction{preAuthorized}, later, charge, "FareConflict", ""},
		{"charge a charged fare, name reused", []sagaAction{preAuthorized, charged}, later, charge, "FareConflict", ""},
		{"refund a charged fare, name reused", []sagaAction{preAuthorized, charged}, later, refund, "", saga.NotOwnedOutcome},
		{"void a pre-authorised fare, name reused", []sagaAction{preAuthorized}, later, void, "", saga.NotOwnedOutcome},
		{"void a charged fare, name reused", []sagaAction{preAuthorized, charged}, later, void, "", saga.NotOwnedOutcome},
		{"void a refunded fare, name reused", []sagaAction{preAuthorized, charged, refundRan}, later, void, "", saga.NotOwnedOutcome},
		{"pre-authorise under another name", []sagaAction{preAuthorized}, renamed, preAuthorize, "InvalidFareInput", ""},
		{"charge under another name", []sagaAction{preAuthorized}, renamed, charge, "InvalidFareInput", ""},
		{"refund under another name", []sagaAction{preAuthorized, charged}, renamed, refund, "", saga.NotOwnedOutcome},
		{"void under another name", []sagaAction{preAuthorized}, renamed, void, "", saga.NotOwnedOutcome},
		{"void under another name, nothing paid yet", nil, renamed, void, "", saga.NotOwnedOutcome},
		{"charge without an execution", []sagaAction{preAuthorized}, nil, charge, "InvalidFareInput", ""},
		{"refund without an execution", []sagaAction{preAuthorized, charged}, nil, refund, "UnexpectedError", ""},
		{"void without an execution", []sagaAction{preAuthorized}, nil, void, "UnexpectedError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, act := range tt.before {
				act(f, "cust-1")
			}
			recordBefore, recordFound := f.payment("fare-1")
			authBefore, authFound := f.authorization(keyOf("preauth", "fare-1"))
			callsBefore := f.gateway.calls

			in := input("fare-1", "cust-2", 0)
			in.Execution = tt.by
			got, err := tt.run(f.svc)(f.ctx, in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, steperr.Name(err), "%v", err)
			} else {
				require.NoError(t, err)
				result := got.(saga.CompensationResult)
				assert.Equal(t, tt.wantOutcome, result.Outcome)
				assert.Contains(t, result.Detail, "nothing was changed")
			}

			recordAfter, stillFound := f.payment("fare-1")
			assert.Equal(t, recordFound, stillFound)
			assert.Equal(t, recordBefore, recordAfter, "the owner's Payments record is unchanged")
			authAfter, stillAuthorised := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, authFound, stillAuthorised)
			assert.Equal(t, authBefore, authAfter, "the owner's authorisation is unchanged at the gateway")
			assert.Equal(t, callsBefore, f.gateway.calls, "the gateway is not called at all")
		})
	}
}

// Two executions of one name keep apart at the gateway: the keys of one are not the
// keys of the other, so neither replays, captures or cancels what the other did.
func TestGatewayKeysBelongToTheirExecution(t *testing.T) {
	first := stepCall{fare: saga.Fare{FareID: "fare-1"}, ownerToken: sagatest.Execution("fare-1").OwnerToken()}
	second := stepCall{fare: saga.Fare{FareID: "fare-1"}, ownerToken: sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z").OwnerToken()}
	for _, key := range []func(stepCall) string{stepCall.preauthKey, stepCall.captureKey, stepCall.voidKey, stepCall.refundKey} {
		assert.NotEqual(t, key(first), key(second))
		assert.Contains(t, key(first), "fare-1")
		assert.LessOrEqual(t, len(gatewayKey("preauth", string(make([]byte, 80)), first.ownerToken)), 255, "gateways take keys up to 255 characters")
	}
	assert.Equal(t, first.preauthKey(), AuthorizationKey("fare-1", sagatest.Execution("fare-1").Owner()))
}
