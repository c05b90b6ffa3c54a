package payment

import (
	"context"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// compensate runs a compensation. A payload without a valid fare cannot belong to a
// fare the forward steps acted on (they validate it the same way), so there is nothing
// to undo and the compensation succeeds with nothingDone rather than block the saga.
func (s *Service) compensate(ctx context.Context, st step, nothingDone string, in saga.StepInput,
	body func(context.Context, stepCall) (saga.CompensationResult, error)) (saga.CompensationResult, error) {
	return run(ctx, s, st, in, refusals[saga.CompensationResult]{
		onInvalidFare: func(error) (saga.CompensationResult, error) {
			return saga.CompensationResult{Outcome: nothingDone, Detail: "the fare input is invalid, so no payment was made for it"}, nil
		},
		onNotOwned: notOwnedCompensation,
	}, func(ctx context.Context, c stepCall) (saga.CompensationResult, error) {
		if err := s.Faults.Outage(c.fault, c.fare.CustomerID, c.redrives); err != nil {
			c.log.Warn("outage injected: the gateway is unreachable until the saga is resumed", "error", err.Error())
			return saga.CompensationResult{}, err
		}
		rec, found, err := s.payments().get(ctx, c.fare.FareID)
		if err != nil {
			return saga.CompensationResult{}, err
		}
		if c.foreign(rec, found) {
			c.log.Warn("the fare's payment belongs to another execution; leaving it")
			return saga.NotOwned(c.fare.FareID, "the fare's payment"), nil
		}
		return body(ctx, c)
	})
}

// notOwnedCompensation: an execution that is not named after the fare owns nothing of it
// (its forward steps refused the fare), so there is nothing to undo. A payload without its
// execution cannot prove that, and succeeding without undoing could leave money moved, so
// it fails and the saga escalates to an operator.
func notOwnedCompensation(fareID string, execution *saga.Execution) (saga.CompensationResult, error) {
	if execution == nil {
		return saga.CompensationResult{}, &steperr.UnexpectedError{Operation: "compensate payment", Detail: "the step payload carries no execution"}
	}
	return saga.NotOwned(fareID, "the fareId is not this execution's name, so the fare's payment"), nil
}

func (c stepCall) compensation(outcome, detail string) saga.CompensationResult {
	return saga.CompensationResult{FareID: c.fare.FareID, Outcome: outcome, Detail: detail}
}
