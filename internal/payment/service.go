package payment

import (
	"errors"
	"log/slog"
	"time"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/simulated"
	"github.com/faresaga/faresaga/internal/money"
)

// Service holds the payment Lambdas. Its methods have the signature lambda.Start takes.
type Service struct {
	DB            DynamoDB
	PaymentsTable string
	Gateway       gateway.Gateway
	Faults        faults.Injector
	Now           func() time.Time // nil: time.Now
	Log           *slog.Logger     // nil: logs are discarded
}

// PaymentResult is what the forward steps return to the state machine.
type PaymentResult struct {
	FareID            string        `json:"fareId"`
	Status            PaymentStatus `json:"status"`
	AuthorizationCode string        `json:"authorizationCode"`
	ChargeID          string        `json:"chargeId,omitempty"`
	money.Money
}

// Outcomes of the compensations.
const (
	OutcomeRefunded        = "REFUNDED"
	OutcomeNothingToRefund = "NOTHING_TO_REFUND"
	OutcomeVoided          = "VOIDED"
	OutcomeNothingToVoid   = "NOTHING_TO_VOID"
	// OutcomeAlreadyRefunded: VoidPreAuthorization found the capture refunded already,
	// normally by RefundFare, which runs before it.
	OutcomeAlreadyRefunded = "ALREADY_REFUNDED"
)

// Config is what New needs. Reading it from the environment is the caller's job.
type Config struct {
	DynamoDB      DynamoDB
	PaymentsTable string
	// Gateway is the payment gateway; nil means the simulated gateway in memory (local
	// runtime and tests only: each Lambda instance would otherwise have a gateway of its
	// own; lambdaenv builds the deployed functions' gateway).
	Gateway        gateway.Gateway
	FaultInjection bool
	Now            func() time.Time // nil: time.Now
	Log            *slog.Logger     // nil: logs are discarded
}

// New builds the service described by cfg.
func New(cfg Config) (*Service, error) {
	if cfg.DynamoDB == nil || cfg.PaymentsTable == "" {
		return nil, errors.New("payment: a DynamoDB client and the Payments table name are required")
	}
	gw := cfg.Gateway
	if gw == nil {
		gw = simulated.New(simulated.NewMemoryStore(), cfg.Now)
	}
	return &Service{
		DB:            cfg.DynamoDB,
		PaymentsTable: cfg.PaymentsTable,
		Gateway:       gw,
		Faults:        faults.New(cfg.FaultInjection),
		Now:           cfg.Now,
		Log:           cfg.Log,
	}, nil
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Service) payments() paymentsTable {
	return paymentsTable{db: s.DB, name: s.PaymentsTable, now: s.now}
}
