package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/statemachine"
)

var voidStep = step{state: statemachine.VoidPreAuthorization, fault: faults.Void}

// maxVoidRounds: a second look is needed only when a late PreAuthorizePayment recorded
// its authorisation between our lookup and our tombstone; then the lookup finds it.
const maxVoidRounds = 2

// VoidPreAuthorization compensates PreAuthorizePayment. It asks the gateway what became
// of the authorisation and releases it, refunding a capture that slipped in after
// RefundFare, so the customer never keeps a hold or a charge; when nothing was
// authorised, it cancels the pre-authorisation at the gateway so that none can be.
func (s *Service) VoidPreAuthorization(ctx context.Context, in saga.StepInput) (saga.CompensationResult, error) {
	return s.compensate(ctx, voidStep, OutcomeNothingToVoid, in, func(ctx context.Context, c stepCall) (saga.CompensationResult, error) {
		for range maxVoidRounds {
			// Cancel, not just look up: a pre-authorisation still on its way must find
			// the door closed at the gateway, whatever happens to its own writes.
			auth, found, err := s.Gateway.CancelPreAuthorization(ctx, c.preauthKey())
			if err != nil {
				return saga.CompensationResult{}, err
			}
			if found {
				return s.release(ctx, c, auth)
			}
			nothingToVoid, err := s.leaveTombstone(ctx, c)
			if err != nil {
				return saga.CompensationResult{}, err
			}
			if nothingToVoid {
				return c.compensation(OutcomeNothingToVoid, "the fare was never pre-authorised"), nil
			}
		}
		return saga.CompensationResult{}, fmt.Errorf("the payment of fare %s kept changing while it was being voided", c.fare.FareID)
	})
}

// release settles the authorisation. The outcome depends on who recorded a refund, not
// on what this run found, so a rerun reports what the first run did.
func (s *Service) release(ctx context.Context, c stepCall, auth gateway.Authorization) (saga.CompensationResult, error) {
	settled, compensatedBy, err := s.settleAndRecord(ctx, c, auth)
	if err != nil {
		return saga.CompensationResult{}, err
	}
	switch {
	case settled.Status == gateway.StatusExpired:
		return c.compensation(OutcomeNothingToVoid, fmt.Sprintf("authorisation %s expired at the gateway: nothing was left to void", settled.Code)), nil
	case settled.Status == gateway.StatusVoided:
		return c.compensation(OutcomeVoided, fmt.Sprintf("authorisation %s voided as %s", settled.Code, settled.VoidID)), nil
	case compensatedBy != c.state:
		return c.compensation(OutcomeAlreadyRefunded, fmt.Sprintf("charge %s was refunded as %s by %s", settled.ChargeID, settled.RefundID, compensatedBy)), nil
	}
	return c.compensation(OutcomeRefunded, fmt.Sprintf("charge %s, made after RefundFare ran, refunded as %s", settled.ChargeID, settled.RefundID)), nil
}

// leaveTombstone records the fare as VOIDED though nothing was authorised, so that a
// PreAuthorizePayment still on its way does nothing. It reports false when a
// pre-authorisation was recorded after our lookup: the caller must look again.
func (s *Service) leaveTombstone(ctx context.Context, c stepCall) (bool, error) {
	err := s.payments().record(ctx, c.fare, c.owner, change{status: PaymentVoided, compensatedBy: c.state, cond: onlyIfNew})
	if !errors.Is(err, errRecordChanged) {
		return err == nil, err
	}
	rec, _, err := s.payments().get(ctx, c.fare.FareID)
	if err != nil {
		return false, err
	}
	return rec.compensated(), nil
}
