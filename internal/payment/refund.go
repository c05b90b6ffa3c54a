package payment

import (
	"context"
	"fmt"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/statemachine"
)

var refundStep = step{state: statemachine.RefundFare, fault: faults.Refund}

// RefundFare compensates ChargeFare. It asks the gateway whether the capture happened,
// whatever the Payments table says: ChargeFare may have failed after capturing.
func (s *Service) RefundFare(ctx context.Context, in saga.StepInput) (saga.CompensationResult, error) {
	return s.compensate(ctx, refundStep, OutcomeNothingToRefund, in, func(ctx context.Context, c stepCall) (saga.CompensationResult, error) {
		capture, found, err := s.Gateway.Lookup(ctx, c.captureKey())
		if err != nil {
			return saga.CompensationResult{}, err
		}
		if !found {
			// The record is left alone: VoidPreAuthorization runs next and releases the
			// authorisation, after which the gateway refuses any late capture.
			return c.compensation(OutcomeNothingToRefund, "the fare was never captured"), nil
		}
		settled, _, err := s.settleAndRecord(ctx, c, capture)
		if err != nil {
			return saga.CompensationResult{}, err
		}
		return c.compensation(OutcomeRefunded, fmt.Sprintf("charge %s refunded as %s", settled.ChargeID, settled.RefundID)), nil
	})
}
