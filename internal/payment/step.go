package payment

import (
	"context"
	"log/slog"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// step is a handler's identity: its state in the definition and its fault switches.
type step struct {
	state string
	fault faults.Step
}

// stepCall is one invocation of a step, past input validation.
type stepCall struct {
	step
	fare    saga.Fare
	attempt int
	log     *slog.Logger
}

func (c stepCall) alreadyCompensated() error {
	return &steperr.FareAlreadyCompensated{FareID: c.fare.FareID, Step: c.state}
}

// run is the handler boundary shared by every step: validate the fare, give it a logger
// that carries the fareId, apply the fault switches, run body, and turn any error into
// the unwrapped steperr type Step Functions matches on. onInvalidFare decides what an
// invalid payload means for this kind of step.
func run[R any](ctx context.Context, s *Service, st step, in saga.StepInput,
	onInvalidFare func(error) (R, error), body func(context.Context, stepCall) (R, error)) (R, error) {
	fare, err := saga.ParseFare(in.Fare)
	// An invalid fare's fareId is not logged: it may be the very value that was refused.
	log := saga.StepLogger(s.logger(), st.state, fare.FareID, in.Attempt)
	var result R
	if err != nil {
		log.Warn("invalid fare input", "problems", err.Error())
		result, err = onInvalidFare(err)
	} else {
		log.Info("step started")
		if err = s.Faults.BeforeEffect(st.fault, fare.CustomerID, in.Attempt); err == nil {
			result, err = body(ctx, stepCall{step: st, fare: fare, attempt: in.Attempt, log: log})
		}
	}
	if err != nil {
		failure := steperr.ForStepFunctions(st.state, err)
		log.Error("step failed", "error", steperr.Name(failure), "cause", err.Error())
		var zero R
		return zero, failure
	}
	log.Info("step succeeded", "result", result)
	return result, nil
}

// afterEffect is the point where the gateway has acted and we have not recorded it:
// where a lost response is simulated.
func (s *Service) afterEffect(c stepCall) error {
	return s.Faults.AfterEffect(c.fault, c.fare.CustomerID, c.attempt)
}
