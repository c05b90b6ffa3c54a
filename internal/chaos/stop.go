package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// Operators, per saga: the chance that one stops its execution at a random moment, and
// that a compensation it runs meets an outage that outlasts its retries and ends once the
// saga is resumed.
const (
	pStop             = 0.03
	pStopCompensating = 0.15 // of the sagas that compensate
	pOutage           = 0.10 // of the sagas that compensate
	// maxResumes is how often the chaos operator resumes a stuck fare: enough for a stop
	// and an outage in one saga; a compensation that fails for good stays stuck after it.
	maxResumes = 3
	// pResumeTwice is the chance that the operator sends a fare's resumes twice at once.
	pResumeTwice = 0.25
	// resumeAttempts is how often the operator sends a resume the tables refused (the
	// stack's DynamoDB is throttled), as a person would try again.
	resumeAttempts = 20
)

// stopPlan is an operator's StopExecution: at the first invocation of state, before the
// handler's effect (the handler runs on, as Lambda finishes what it started, and lands
// after the watcher has looked) or after it (the effect is in, its answer is lost).
type stopPlan struct {
	state       string
	afterEffect bool

	once      sync.Once
	execution chan *engine.Execution // the execution, once started
	watched   chan struct{}          // closed once the watcher has handled the stop
}

// planStop draws an operator's stop for saga f, or none: at any Lambda state the saga
// runs, forward or compensating.
func planStop(rng *rand.Rand, run map[faults.Step]bool) *stopPlan {
	var forward, compensations []string
	for _, fn := range statemachine.Functions {
		step, _ := faults.StepOf(fn.State)
		switch {
		case !run[step]:
		case fn.Compensation:
			compensations = append(compensations, fn.State)
		default:
			forward = append(forward, fn.State)
		}
	}
	// Sagas that compensate are stopped more often, and then mostly while compensating:
	// they are fewer, and a stop there is what leaves money half-moved.
	states, p := forward, pStop
	if len(compensations) > 0 {
		p = pStopCompensating
		if rng.IntN(3) > 0 {
			states = compensations
		}
	}
	if rng.Float64() >= p {
		return nil
	}
	return &stopPlan{state: pick(rng, states), afterEffect: rng.IntN(2) == 0,
		execution: make(chan *engine.Execution, 1), watched: make(chan struct{})}
}

// planOutage draws an outage of one of the compensations the saga runs, or none.
func planOutage(rng *rand.Rand, run map[faults.Step]bool, broken faults.Step) faults.Step {
	var running []faults.Step
	for _, s := range compensationSteps {
		if run[s] && s != broken {
			running = append(running, s)
		}
	}
	if len(running) == 0 || rng.Float64() >= pOutage {
		return ""
	}
	return pick(rng, running)
}

// stops stands between the engine and the Lambda handlers and stops executions at their
// planned moments, as an operator's StopExecution would.
type stops struct {
	inner  task.Integration
	counts *Counts
	mu     sync.Mutex
	plans  map[string]*stopPlan // by execution name
	late   sync.WaitGroup       // handlers that run on after their execution stopped
}

func (s *stops) add(execution string, p *stopPlan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plans == nil {
		s.plans = map[string]*stopPlan{}
	}
	s.plans[execution] = p
}

// remove ends a plan: another execution may reuse the name once the saga is over.
func (s *stops) remove(execution string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.plans, execution)
}

func (s *stops) Invoke(ctx context.Context, req task.Request) (any, error) {
	s.mu.Lock()
	p := s.plans[req.Caller.ExecutionName]
	s.mu.Unlock()
	fire := false
	if p != nil && p.state == req.Caller.StateName {
		p.once.Do(func() { fire = true })
	}
	if !fire {
		return s.inner.Invoke(ctx, req)
	}
	s.counts.add(map[bool]Kind{false: StoppedForward, true: StoppedCompensating}[statemachine.IsCompensation(req.Caller.StateName)])
	x := <-p.execution
	if p.afterEffect {
		_, _ = s.inner.Invoke(ctx, req)
	} else {
		s.late.Add(1)
		go func() {
			defer s.late.Done()
			<-p.watched
			_, _ = s.inner.Invoke(context.WithoutCancel(ctx), req)
		}()
	}
	// Stop returns once the execution has ended, which waits for this invocation: it
	// ends when the stop cancels it.
	go x.Stop("Chaos.Stopped", "an operator stopped the execution at "+req.Caller.StateName)
	<-ctx.Done()
	return nil, context.Cause(ctx)
}

// drain waits for the handlers still running after their stop.
func (s *stops) drain() { s.late.Wait() }

// markWatched tells a plan's late handler that the watcher has handled the stop (called
// from the saga's own goroutine only, so the check and the close do not race).
func (p *stopPlan) markWatched() {
	select {
	case <-p.watched:
	default:
		close(p.watched)
	}
}

// resumeStuck resumes the saga's fare as an operator does, for as long as it is stuck and
// at most maxResumes times, each time waiting until the watcher has handled the run it
// started. It returns the resumes made; a resume refused for a stuck fare is an error.
func resumeStuck(ctx context.Context, stack *embedded.Stack, x *engine.Execution, fareID string, p *stopPlan, twice bool, counts *Counts) (int, error) {
	resumes := 0
	for resumes < maxResumes {
		record, found, err := readFare(ctx, stack, fareID)
		if err != nil {
			return resumes, err
		}
		if !found || record.Status != fare.NeedsAttention {
			return resumes, nil
		}
		if err := resumeOnceOrTwice(ctx, stack, fareID, twice, counts); err != nil {
			return resumes, fmt.Errorf("resume %s (stuck at %s): %w", fareID, record.AttentionState, err)
		}
		resumes++
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		err = stack.Settled(waitCtx, x)
		cancel()
		if p != nil {
			p.markWatched()
		}
		if err != nil {
			return resumes, fmt.Errorf("the resumed execution of %s never settled: %w", fareID, err)
		}
	}
	return resumes, nil
}

// resumeOnceOrTwice resumes the fare, or, for an operator who clicks twice (or two who
// see the same alert), sends two resumes at once: one of them must be made, and the other
// be made as the same resume or refused.
func resumeOnceOrTwice(ctx context.Context, stack *embedded.Stack, fareID string, twice bool, counts *Counts) error {
	if !twice {
		return resume(ctx, stack, fareID)
	}
	counts.add(ResumedTwice)
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- resume(ctx, stack, fareID) }()
	}
	first, second := <-errs, <-errs
	if first != nil && second != nil {
		return errors.Join(first, second)
	}
	return nil
}

// resume sends a resume again while the tables refuse it for throughput: a resume that
// failed that way did nothing, or left the fare for a resume sent again to finish.
func resume(ctx context.Context, stack *embedded.Stack, fareID string) error {
	var err error
	for range resumeAttempts {
		if _, err = stack.Resume(ctx, fareID); err == nil {
			return nil
		}
		var notStuck *attention.NotStuckError
		var notResumable *attention.NotResumableError
		if errors.As(err, &notStuck) || errors.As(err, &notResumable) {
			return err
		}
	}
	return err
}

// readFare reads a fare through the throttled table, as the operator's tools do.
func readFare(ctx context.Context, stack *embedded.Stack, fareID string) (fare.Record, bool, error) {
	var err error
	for range resumeAttempts {
		var record fare.Record
		var found bool
		if record, found, err = stack.Services.Fare.Get(ctx, fareID); err == nil {
			return record, found, nil
		}
	}
	return fare.Record{}, false, err
}
