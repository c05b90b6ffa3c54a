package chaos

import (
	"fmt"
	"math/rand/v2"

	"github.com/faresaga/faresaga/internal/faults"
)

// saga is one saga of a run: its input and the switch faults planned for it.
type saga struct {
	fareID     string
	customerID string
	amount     int64
	planned    []Kind
	conflict   *conflict  // a second execution for the fareId, or nil
	cardData   *cardInput // an input that carries card data, started past the door; or nil
	stop       *stopPlan  // an operator's stop of its execution, or nil
	// broken is the compensation that fails for good, or "": the only thing that may
	// leave the fare stuck once it has been resumed.
	broken faults.Step
}

var (
	forwardSteps      = []faults.Step{faults.Register, faults.Auth, faults.Charge, faults.Credit, faults.Complete}
	transientForward  = []faults.Step{faults.Register, faults.Auth, faults.Charge, faults.Credit}
	compensationSteps = []faults.Step{faults.Reverse, faults.Refund, faults.Void, faults.Cancel}
	lostSteps         = []faults.Step{faults.Register, faults.Auth, faults.Charge, faults.Credit, faults.Reverse, faults.Refund, faults.Void, faults.Cancel}
)

// Probabilities of the switch faults, per saga.
const (
	pStepFails             = 0.20
	pCompensationFails     = 0.05 // implies the forward failure that runs it
	pStepTransient         = 0.20
	pCompensationTransient = 0.50 // of the sagas that compensate
	pLostResponse          = 0.20
	customersPerShard      = 40 // few enough that customers share many fares
)

// compensationOf is the first compensation that runs when a forward step fails.
var compensationOf = map[faults.Step]faults.Step{
	faults.Register: faults.Cancel, faults.Auth: faults.Void, faults.Charge: faults.Refund,
	faults.Credit: faults.Reverse, faults.Complete: faults.Reverse,
}

// triggers is the forward step a compensation switch also fails (see internal/faults).
var triggers = map[faults.Step]faults.Step{
	faults.Reverse: faults.Complete, faults.Refund: faults.Credit, faults.Void: faults.Charge, faults.Cancel: faults.Auth,
}

// stepsRun is every step that runs at least once when failing (a forward step, or none)
// fails and then brokenCompensation (or none) fails for good: a switch on any other
// step would never act, and must not be counted as injected.
func stepsRun(failing, brokenCompensation faults.Step) map[faults.Step]bool {
	run := map[faults.Step]bool{}
	for _, s := range forwardSteps {
		run[s] = true
		if s == failing {
			break
		}
	}
	if failing == "" {
		return run
	}
	started := false
	for _, s := range compensationSteps {
		started = started || s == compensationOf[failing]
		if started {
			run[s] = true
			if s == brokenCompensation {
				break
			}
		}
	}
	return run
}

// planSaga draws the n-th saga of a run from its own seeded source, so a run is the same
// whatever order the sagas finish in.
func planSaga(seed uint64, n int) saga {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	f := saga{fareID: fmt.Sprintf("fare-%07d", n), amount: 100 + rng.Int64N(9900)}
	customer := fmt.Sprintf("c%03d", rng.IntN(customersPerShard))
	var failing, broken faults.Step
	switch x := rng.Float64(); {
	case x < pCompensationFails:
		broken = pick(rng, compensationSteps)
		failing = triggers[broken]
		customer += faults.Switch("fail", broken)
		f.planned = append(f.planned, CompensationFails)
	case x < pCompensationFails+pStepFails:
		failing = pick(rng, forwardSteps)
		customer += faults.Switch("fail", failing)
		f.planned = append(f.planned, StepFails)
	}
	run := stepsRun(failing, broken)
	if step := pick(rng, transientForward); rng.Float64() < pStepTransient && run[step] {
		customer += faults.Switch("transient", step)
		f.planned = append(f.planned, StepTransient)
	}
	if step := pick(rng, compensationSteps); rng.Float64() < pCompensationTransient && run[step] && step != broken {
		customer += faults.Switch("transient", step)
		f.planned = append(f.planned, CompensationTransient)
	}
	if step := pick(rng, lostSteps); rng.Float64() < pLostResponse && run[step] && step != failing && step != broken {
		customer += faults.Switch("lost", step)
		f.planned = append(f.planned, LostResponse)
	}
	if outage := planOutage(rng, run, broken); outage != "" {
		customer += faults.Switch("outage", outage)
		f.planned = append(f.planned, Outage)
	}
	f.customerID, f.broken = customer, broken
	stop := planStop(rng, run)
	if f.cardData = planCardData(rng, f.fareID); f.cardData != nil {
		// The input is refused before any switch could act: the saga is only its refusal.
		f.planned = []Kind{CardDataInput}
		return f
	}
	if f.conflict = planConflict(rng, f); f.conflict != nil {
		f.planned = append(f.planned, ConflictingStart)
	}
	f.stop = stop // counted when it happens: the saga may end before its moment
	return f
}

func pick[T any](rng *rand.Rand, from []T) T { return from[rng.IntN(len(from))] }

func (f saga) input() string {
	if f.cardData != nil {
		return f.cardData.input
	}
	return fmt.Sprintf(`{"fareId":%q,"customerId":%q,"amount":%d,"currency":"EUR","paymentToken":"tok_%s"}`, f.fareID, f.customerID, f.amount, f.fareID)
}
