package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// pConflict is the chance that a saga's fareId is started a second time by someone else:
// a client retrying under a fresh execution name, or the name reused once Step Functions
// forgot the first execution.
const pConflict = 0.05

// conflict is a second execution for a saga's fareId.
type conflict struct {
	name  string // its execution name: the fareId again, or another
	input string // the same fare, or a different one under the same fareId
	// at is the state of the first saga at whose first invocation the second starts;
	// "" starts it once the first has ended (a reused name is only free then).
	at string
}

// conflictMoments are the states a second execution may start during: every Lambda step
// the first saga may run.
var conflictMoments = func() []string {
	var states []string
	for _, fn := range statemachine.Functions {
		states = append(states, fn.State)
	}
	return append(states, "")
}()

// planConflict draws a second execution for saga f, or none.
func planConflict(rng *rand.Rand, f saga) *conflict {
	if rng.Float64() >= pConflict {
		return nil
	}
	c := &conflict{name: f.fareID + "-again", input: f.input(), at: pick(rng, conflictMoments)}
	if rng.IntN(3) == 0 {
		c.name, c.at = f.fareID, ""
	}
	if rng.IntN(2) == 0 {
		c.input = fmt.Sprintf(`{"fareId":%q,"customerId":"c%03d","amount":%d,"currency":"EUR","paymentToken":"tok_conflict"}`,
			f.fareID, rng.IntN(customersPerShard), 1+rng.Int64N(100_000))
	}
	return c
}

// conflictAllowedStates is all a second execution may ever enter: RegisterFare refuses
// it; if that invocation never ran, CancelFare finds the fare another's, and the
// execution ends without announcing anything.
var conflictAllowedStates = []string{statemachine.RegisterFare, statemachine.CancelFare,
	statemachine.FareOwnedByThisExecution, statemachine.FareProcessingFailed}

// moments runs a function at the first invocation of a state of an execution: at a
// chosen moment of that saga's life, while the saga waits for it.
type moments struct {
	inner task.Integration
	mu    sync.Mutex
	at    map[string]*moment // by execution name
}

type moment struct {
	state string
	once  sync.Once
	run   func()
}

func (m *moments) add(execution, state string, run func()) *moment {
	mo := &moment{state: state, run: run}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at == nil {
		m.at = map[string]*moment{}
	}
	m.at[execution] = mo
	return mo
}

func (m *moments) Invoke(ctx context.Context, req task.Request) (any, error) {
	m.mu.Lock()
	mo := m.at[req.Caller.ExecutionName]
	m.mu.Unlock()
	if mo != nil && mo.state == req.Caller.StateName {
		mo.once.Do(mo.run)
	}
	return m.inner.Invoke(ctx, req)
}

// startConflict runs the second execution of c to its end. A reused name comes later
// than the first start, as it would on Step Functions: the clock moves on a little, so
// the two executions of one name have distinct start times.
func startConflict(ctx context.Context, stack *embedded.Stack, c *conflict) (*engine.Execution, error) {
	if virtual, ok := stack.Clock.(*clock.Virtual); ok {
		virtual.Advance(time.Millisecond)
	}
	x, err := stack.StartNamed(ctx, c.name, c.input)
	if err != nil {
		return nil, err
	}
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_, _ = x.Wait(waitCtx)
	return x, nil
}

// checkConflict checks that the second execution for f's fareId did nothing: it failed,
// and entered no state beyond RegisterFare's refusal and a CancelFare that found the fare
// another's. What it might have written is checked with f's records, all of which must be
// f's own execution's.
func checkConflict(f saga, x *engine.Execution, v *verdict) {
	if x == nil {
		v.violate("%s: the conflicting execution %s never ran", f.fareID, f.conflict.name)
		return
	}
	r := x.Result()
	if r.Status != engine.Failed {
		v.violate("%s: the conflicting execution %s ended %s, not FAILED", f.fareID, f.conflict.name, r.Status)
	}
	cancelled := false
	for _, e := range x.History.Events() {
		if e.StateEntered == nil {
			continue
		}
		cancelled = cancelled || e.StateEntered.Name == statemachine.CancelFare
		if !slices.Contains(conflictAllowedStates, e.StateEntered.Name) {
			v.violate("%s: the conflicting execution %s entered %s", f.fareID, f.conflict.name, e.StateEntered.Name)
		}
	}
	if !cancelled && r.Error != "InvalidFareInput" && r.Error != "FareConflict" {
		v.violate("%s: the conflicting execution %s failed with %s, not a refusal", f.fareID, f.conflict.name, r.Error)
	}
}
