package account

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/statemachine"
)

// Outcomes of ReverseCustomerCredit.
const (
	OutcomeReversed         = "REVERSED"
	OutcomeAlreadyReversed  = "ALREADY_REVERSED"
	OutcomeNothingToReverse = "NOTHING_TO_REVERSE"
)

// ReverseCustomerCredit undoes the fare's credit if there is one, and otherwise fences
// the fare so that a credit arriving late does nothing. Running it again changes nothing.
func (s *Service) ReverseCustomerCredit(ctx context.Context, in saga.StepInput) (saga.CompensationResult, error) {
	const state = statemachine.ReverseCustomerCredit
	fare, err := saga.ParseFare(in.Fare)
	log := s.stepLogger(state, fare, err, in.Attempt)
	if err != nil {
		// CreditCustomerAccount parses the same payload and refuses it, so nothing can
		// have been credited; failing here would only keep the saga from finishing.
		log.Warn("fare in payload is invalid; nothing can have been credited", "problems", err.Error())
		return saga.CompensationResult{Outcome: OutcomeNothingToReverse, Detail: "invalid fare in payload; nothing was credited for it"}, nil
	}
	if in.Execution == nil {
		// Without its execution a compensation cannot prove which credit is its own, and
		// succeeding without reversing could leave a credit standing: an operator decides.
		return saga.CompensationResult{}, stepFailed(log, state, &steperr.UnexpectedError{Operation: state, Detail: "the step payload carries no execution"})
	}
	if !in.Execution.Owns(fare.FareID) {
		log.Warn("the execution name is not the fareId: this execution owns nothing of the fare")
		return saga.NotOwned(fare.FareID, "the fareId is not this execution's name, so the fare's credit"), nil
	}
	if in.Failure != nil {
		log = log.With("failedState", in.Failure.State, "failedWith", in.Failure.Error)
	}
	if err := s.Faults.Outage(faults.Reverse, fare.CustomerID, in.RedriveCount); err != nil {
		log.Warn("outage injected: the ledger is unreachable until the saga is resumed", "error", err.Error())
		return saga.CompensationResult{}, stepFailed(log, state, err)
	}
	log.Info("reversing customer credit")
	owner := in.Execution.Owner()
	result, err := withFaults(s.Faults, faults.Reverse, fare.CustomerID, in.Attempt, log, func() (saga.CompensationResult, error) {
		return s.reverse(ctx, fare, owner, log)
	})
	if err != nil {
		return saga.CompensationResult{}, stepFailed(log, state, err)
	}
	log.Info("customer credit compensated", "outcome", result.Outcome, "detail", result.Detail)
	return result, nil
}

// reverse decides from the ledger, writes, and decides again if the ledger moved in
// between (a late credit landing, another run of this compensation).
func (s *Service) reverse(ctx context.Context, fare saga.Fare, owner string, log *slog.Logger) (saga.CompensationResult, error) {
	return untilSettled(log, statemachine.ReverseCustomerCredit, func() (saga.CompensationResult, error) {
		ledger, err := s.readFareLedger(ctx, fare.CustomerID, fare.FareID)
		if err != nil {
			return saga.CompensationResult{}, err
		}
		switch {
		case ledger.foreign(owner):
			log.Warn("the fare's ledger entries belong to another execution; leaving them")
			return saga.NotOwned(fare.FareID, "the fare's credit"), nil
		case ledger.reversal != nil:
			return alreadyReversed(*ledger.reversal), nil
		case ledger.credit == nil:
			return s.fenceUncreditedFare(ctx, fare, owner)
		case ledger.credit.Money != fare.Money:
			// This saga's credit would have been refused as a FareConflict: the credit
			// on record is someone else's effect, and a compensation undoes only its own.
			log.Warn("credit on record is for a different amount; leaving it", "recorded", ledger.credit.Money.String())
			return compensation(fare.FareID, OutcomeNothingToReverse,
				"the credit recorded for this fare is "+ledger.credit.Money.String()+", not this saga's"), nil
		}
		return s.reverseCredit(ctx, *ledger.credit)
	})
}

func (s *Service) reverseCredit(ctx context.Context, credit Entry) (saga.CompensationResult, error) {
	reversal := newEntry(credit.CustomerID, credit.FareID, KindReversal, credit.Money, s.now(), credit.OwnerExecution)
	refund := money.Money{Amount: -credit.Amount, Currency: credit.Currency}
	err := s.writeReversal(ctx, reversal,
		s.addToBalance(credit.CustomerID, refund, reversal.CreatedAt),
		s.checkEntry(credit.CustomerID, credit.EntryID, mustExist))
	if err != nil {
		return saga.CompensationResult{}, err
	}
	return compensation(credit.FareID, OutcomeReversed, "reversed a credit of "+credit.Money.String()), nil
}

// fenceUncreditedFare records a reversal of nothing. A credit still on its way (a slow
// first invocation, a retry) checks for this entry and gives up.
func (s *Service) fenceUncreditedFare(ctx context.Context, fare saga.Fare, owner string) (saga.CompensationResult, error) {
	tombstone := newEntry(fare.CustomerID, fare.FareID, KindReversal, money.Money{Currency: fare.Currency}, s.now(), owner)
	err := s.writeReversal(ctx, tombstone,
		s.checkEntry(fare.CustomerID, FareEntryID(fare.FareID, KindCredit), mustBeAbsent))
	if err != nil {
		return saga.CompensationResult{}, err
	}
	return compensation(fare.FareID, OutcomeNothingToReverse, "nothing was credited; a late credit will be refused"), nil
}

// writeReversal writes the reversal entry with the items that must go with it. Any
// failed condition means the ledger is no longer what the decision was made from.
func (s *Service) writeReversal(ctx context.Context, reversal Entry, with ...types.TransactWriteItem) error {
	put, err := s.putNewEntry(reversal)
	if err != nil {
		return err
	}
	err = s.transact(ctx, append([]types.TransactWriteItem{put}, with...))
	reasons, cancelled := cancellationOf(err)
	switch {
	case !cancelled:
		return err
	case reasons.has(reasonConditionFailed):
		return errStateChanged
	}
	return reasons.unlessCondition(statemachine.ReverseCustomerCredit)
}

func alreadyReversed(reversal Entry) saga.CompensationResult {
	what := "a credit of " + reversal.Money.String()
	if reversal.IsTombstone() {
		what = "nothing (no credit was recorded)"
	}
	return compensation(reversal.FareID, OutcomeAlreadyReversed,
		fmt.Sprintf("reversed %s at %s", what, reversal.CreatedAt.Format(time.RFC3339)))
}

func compensation(fareID, outcome, detail string) saga.CompensationResult {
	return saga.CompensationResult{FareID: fareID, Outcome: outcome, Detail: detail}
}
