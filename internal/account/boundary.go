package account

import (
	"log/slog"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// withFaults runs effect between step's fault switches. A switch before the effect
// replaces it; a switch after it loses the response of an effect that stays done, which
// is the case a retry or a compensation must cope with.
func withFaults[T any](injector faults.Injector, step faults.Step, customerID string, attempt int, log *slog.Logger, effect func() (T, error)) (T, error) {
	var zero T
	if err := injector.BeforeEffect(step, customerID, attempt); err != nil {
		return zero, err
	}
	result, err := effect()
	if err != nil {
		return zero, err
	}
	if err := injector.AfterEffect(step, customerID, attempt); err != nil {
		log.Warn("effect landed; losing its response (fault injection)")
		return zero, err
	}
	return result, nil
}

// stepFailed is every error's way out of a handler. Step Functions matches the error's
// type name, so it must leave typed and unwrapped; the log records the name it got.
func stepFailed(log *slog.Logger, operation string, err error) error {
	named := steperr.ForStepFunctions(operation, err)
	log.Error("step failed", "error", steperr.Name(named), "detail", named.Error())
	return named
}

// stepLogger is the step's logger, with the fare's identifying fields once the fare has
// parsed (until then there is no fareId to trust, and it logs as ""). The fare is never
// logged whole: it carries the payment token.
func (s *Service) stepLogger(state string, fare saga.Fare, parseErr error, attempt int) *slog.Logger {
	log := saga.StepLogger(s.baseLogger(), state, fare.FareID, attempt)
	if parseErr != nil {
		return log
	}
	return log.With("customerId", fare.CustomerID, "amount", fare.Amount, "currency", fare.Currency)
}
