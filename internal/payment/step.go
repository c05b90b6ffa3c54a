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

// stepCall is one invocation of a step, past input validation and the ownership check:
// its execution owns the fare.
type stepCall struct {
	step
	fare       saga.Fare
	owner      string // saga.Execution.Owner() of the execution running the step
	ownerToken string
	attempt    int
	redrives   int // how often the saga was resumed: ends an injected outage
	log        *slog.Logger
}

// foreign reports whether a payment record belongs to another execution than the one
// running this call; such a record is never changed.
func (c stepCall) foreign(rec Record, found bool) bool { return found && rec.OwnerExecution != c.owner }

func (c stepCall) alreadyCompensated() error {
	return &steperr.FareAlreadyCompensated{FareID: c.fare.FareID, Step: c.state}
}

// refusals decide what a step does with a payload it must not act on: onInvalidFare
// with a fare that does not validate, onNotOwned with an execution that does not own the
// fare (or none at all: nil).
type refusals[R any] struct {
	onInvalidFare func(error) (R, error)
	onNotOwned    func(fareID string, execution *saga.Execution) (R, error)
}

// run is the handler boundary shared by every step: validate the fare, check that the
// execution owns it, give the step a logger that carries the fareId, apply the fault
// switches, run body, and turn any error into the unwrapped steperr type Step Functions
// matches on.
func run[R any](ctx context.Context, s *Service, st step, in saga.StepInput,
	refuse refusals[R], body func(context.Context, stepCall) (R, error)) (R, error) {
	fare, err := saga.ParseFare(in.Fare)
	// An invalid fare's fareId is not logged: it may be the very value that was refused.
	log := saga.StepLogger(s.logger(), st.state, fare.FareID, in.Attempt)
	var result R
	switch {
	case err != nil:
		log.Warn("invalid fare input", "problems", err.Error())
		result, err = refuse.onInvalidFare(err)
	case in.Execution == nil || !in.Execution.Owns(fare.FareID):
		log.Warn("the execution does not own the fare", "problems", saga.CheckOwnership(fare, in.Execution).Error())
		result, err = refuse.onNotOwned(fare.FareID, in.Execution)
	default:
		log.Info("step started")
		if err = s.Faults.BeforeEffect(st.fault, fare.CustomerID, in.Attempt); err == nil {
			call := stepCall{step: st, fare: fare, owner: in.Execution.Owner(), ownerToken: in.Execution.OwnerToken(),
				attempt: in.Attempt, redrives: in.RedriveCount, log: log}
			result, err = body(ctx, call)
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
