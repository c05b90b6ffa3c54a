package payment

import (
	"context"

	"github.com/faresaga/faresaga/internal/saga"
)

// compensate runs a compensation. A payload without a valid fare cannot belong to a
// fare the forward steps acted on (they validate it the same way), so there is nothing
// to undo and the compensation succeeds with nothingDone rather than block the saga.
func (s *Service) compensate(ctx context.Context, st step, nothingDone string, in saga.StepInput,
	body func(context.Context, stepCall) (saga.CompensationResult, error)) (saga.CompensationResult, error) {
	nothingForInvalidFare := func(error) (saga.CompensationResult, error) {
		return saga.CompensationResult{Outcome: nothingDone, Detail: "the fare input is invalid, so no payment was made for it"}, nil
	}
	return run(ctx, s, st, in, nothingForInvalidFare, body)
}

func (c stepCall) compensation(outcome, detail string) saga.CompensationResult {
	return saga.CompensationResult{FareID: c.fare.FareID, Outcome: outcome, Detail: detail}
}
