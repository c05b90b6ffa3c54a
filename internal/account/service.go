// Package account is the account service of the fare-collection saga: it credits a
// customer's account with a collected fare (CreditCustomerAccount) and undoes that credit
// when the saga compensates (ReverseCustomerCredit).
//
// Step Functions may run either handler more than once, and a slow invocation may land
// after the saga moved on, so every write is a conditional transaction over a ledger:
// one credit entry and at most one reversal entry per fare. The ledger, not the payload,
// decides what a handler does, which makes running a handler again harmless.
package account

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/faults"
)

// Service holds what both handlers need. Its methods are Lambda handlers as they are:
// lambda.Start(svc.CreditCustomerAccount). A nil Now or Log falls back to the real clock
// and slog's default logger.
type Service struct {
	DB     *dynamodb.Client
	Table  string // the deployed name of the CustomerAccounts table
	Faults faults.Injector
	Now    func() time.Time
	Log    *slog.Logger // JSON; every line gets the fareId through saga.StepLogger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) baseLogger() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}
