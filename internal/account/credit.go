package account

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/statemachine"
)

// CreditResult is the credit as the ledger holds it, so that running the step again
// returns exactly the same result.
type CreditResult struct {
	FareID     string `json:"fareId"`
	CustomerID string `json:"customerId"`
	money.Money
	EntryID    string    `json:"entryId"`
	CreditedAt time.Time `json:"creditedAt"`
}

func creditResultOf(entry Entry) CreditResult {
	return CreditResult{
		FareID:     entry.FareID,
		CustomerID: entry.CustomerID,
		Money:      entry.Money,
		EntryID:    entry.EntryID,
		CreditedAt: entry.CreatedAt,
	}
}

// CreditCustomerAccount credits the fare to the customer's account, once.
func (s *Service) CreditCustomerAccount(ctx context.Context, in saga.StepInput) (CreditResult, error) {
	const state = statemachine.CreditCustomerAccount
	fare, err := saga.ParseFare(in.Fare)
	if err == nil {
		err = saga.CheckOwnership(fare, in.Execution)
	}
	log := s.stepLogger(state, fare, err, in.Attempt)
	if err != nil {
		return CreditResult{}, stepFailed(log, state, err)
	}
	log.Info("crediting customer account")
	owner := in.Execution.Owner()
	entry, err := withFaults(s.Faults, faults.Credit, fare.CustomerID, in.Attempt, log, func() (Entry, error) {
		return s.credit(ctx, fare, owner, log)
	})
	if err != nil {
		return CreditResult{}, stepFailed(log, state, err)
	}
	log.Info("customer account credited", "entryId", entry.EntryID)
	return creditResultOf(entry), nil
}

// Items of the credit transaction, by position in the request, which is also the order
// in which minidyn evaluates them and stops at the first failure. The fence comes first
// so that, when both conditions fail, every endpoint reports the one that decides.
const (
	creditFenceItem   = iota // ConditionCheck: no reversal of the fare
	creditPutItem            // Put: the credit entry, if it does not exist yet
	creditBalanceItem        // Update: ADD the amount to the balance
)

func (s *Service) credit(ctx context.Context, fare saga.Fare, owner string, log *slog.Logger) (Entry, error) {
	entry := newEntry(fare.CustomerID, fare.FareID, KindCredit, fare.Money, s.now(), owner)
	put, err := s.putNewEntry(entry)
	if err != nil {
		return Entry{}, err
	}
	return untilSettled(log, statemachine.CreditCustomerAccount, func() (Entry, error) {
		err := s.transact(ctx, []types.TransactWriteItem{
			creditFenceItem:   s.checkEntry(fare.CustomerID, FareEntryID(fare.FareID, KindReversal), mustBeAbsent),
			creditPutItem:     put,
			creditBalanceItem: s.addToBalance(fare.CustomerID, fare.Money, entry.CreatedAt),
		})
		if err == nil {
			return entry, nil
		}
		return s.explainRefusedCredit(ctx, entry, err, log)
	})
}

// explainRefusedCredit turns a cancelled credit into the step's answer. The reasons
// say which condition failed; only the ledger can say whose entry refused us: this
// execution's (its own credit again, or its own compensation that came first) or
// another's, which this execution must leave alone.
func (s *Service) explainRefusedCredit(ctx context.Context, want Entry, err error, log *slog.Logger) (Entry, error) {
	reasons, ok := cancellationOf(err)
	switch {
	case !ok:
		return Entry{}, err
	case reasons.conditionFailed(creditFenceItem), reasons.conditionFailed(creditPutItem):
		return s.existingCredit(ctx, want, log)
	}
	return Entry{}, reasons.unlessCondition(statemachine.CreditCustomerAccount)
}

// existingCredit reads the entries that refused our credit. minidyn ignores
// ReturnValuesOnConditionCheckFailure on a transactional Put, so the entry is read
// rather than taken from the cancellation; entries never change once written, so the
// read sees exactly what refused us.
func (s *Service) existingCredit(ctx context.Context, want Entry, log *slog.Logger) (Entry, error) {
	ledger, err := s.readFareLedger(ctx, want.CustomerID, want.FareID)
	switch {
	case err != nil:
		return Entry{}, err
	case ledger.foreign(want.OwnerExecution):
		log.Warn("the fare's ledger entries belong to another execution; nothing was credited")
		return Entry{}, saga.Conflict(want.FareID, "the fare's ledger entry")
	case ledger.reversal != nil:
		// Compensated since our transaction was refused: the saga has moved on.
		return Entry{}, alreadyCompensated(want.FareID)
	case ledger.credit == nil:
		// Entries are never deleted, so this is not expected; deciding again is safe.
		return Entry{}, errStateChanged
	case ledger.credit.Money != want.Money:
		return Entry{}, &steperr.FareConflict{FareID: want.FareID,
			Reason: "credited " + ledger.credit.Money.String() + " already; this run asks for " + want.Money.String()}
	}
	log.Info("credit already recorded; returning it", "entryId", ledger.credit.EntryID)
	return *ledger.credit, nil
}

func alreadyCompensated(fareID string) error {
	return &steperr.FareAlreadyCompensated{FareID: fareID, Step: statemachine.CreditCustomerAccount}
}
