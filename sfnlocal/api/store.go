package api

import (
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// store holds the state machines until they are deleted, every running execution, and
// the most recent finished ones: a long-running server's memory stays flat however many
// executions it runs.
type store struct {
	maxFinished      int
	maxFinishedBytes int64
	// finishedBytes is the estimated memory of the finished executions kept.
	finishedBytes int64

	mu       sync.RWMutex
	machines map[string]*stateMachine // by ARN
	// executions are by ARN; byMachine lists each machine's in start order, for
	// ListExecutions; finished queues the finished ones, oldest first, for eviction.
	executions map[string]*storedExecution
	byMachine  map[string][]*storedExecution
	finished   []*storedExecution
	sequence   uint64
	// versions are the machines' versions and aliases; tags the resources' tags.
	versions   versions
	tags       map[string][]tag
	activities map[string]*activity
}

// storedExecution is an execution and its place in the start order, which paging uses
// because it survives other executions being added or evicted.
type storedExecution struct {
	*engine.Execution
	sequence uint64
	// machine is the machine (or version) as the execution runs it.
	machine *stateMachine
	express bool
	// tokens are the client tokens of its recent redrives.
	tokens redriveTokens
	// retired says the execution sits in the finished queue; bytes is its estimated
	// memory, counted when it retired.
	retired bool
	bytes   int64
}

func newStore(maxFinished int, maxFinishedBytes int64) *store {
	return &store{
		maxFinished:      maxFinished,
		maxFinishedBytes: maxFinishedBytes,
		machines:         map[string]*stateMachine{},
		executions:       map[string]*storedExecution{},
		byMachine:        map[string][]*storedExecution{},
	}
}

func (st *store) machine(arn string) (*stateMachine, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	m, ok := st.machines[arn]
	return m, ok
}

// replaceMachine stores an updated machine (machines are immutable: an update stores a
// new value), unless it was deleted meanwhile.
func (st *store) replaceMachine(m *stateMachine) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.machines[m.arn]; !ok {
		return false
	}
	st.machines[m.arn] = m
	return true
}

// createMachine adds m unless a machine of that ARN exists, which it returns instead.
func (st *store) createMachine(m *stateMachine) (existing *stateMachine) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if existing, ok := st.machines[m.arn]; ok {
		return existing
	}
	st.machines[m.arn] = m
	return nil
}

// deleteMachine forgets a machine and returns its running executions, for the caller to
// stop. Its finished executions stay until evicted, so they can still be described.
func (st *store) deleteMachine(arn string) []*engine.Execution {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.machines, arn)
	var running []*engine.Execution
	for _, x := range st.byMachine[arn] {
		if x.Status() == engine.Running {
			running = append(running, x.Execution)
		}
	}
	return running
}

// machinesAfter lists up to limit machines in name order, after the name given.
func (st *store) machinesAfter(after string, limit int) (page []*stateMachine, more bool) {
	st.mu.RLock()
	all := make([]*stateMachine, 0, len(st.machines))
	for _, m := range st.machines {
		if m.name > after {
			all = append(all, m)
		}
	}
	st.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	if len(all) > limit {
		return all[:limit], true
	}
	return all, false
}

func (st *store) execution(arn string) (*storedExecution, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	x, ok := st.executions[arn]
	return x, ok
}

// startExecution starts an execution unless one of that ARN exists, atomically so
// that concurrent starts of one name yield one execution. start runs under the lock;
// it only launches the execution, which runs on its own goroutine.
func (st *store) startExecution(arn string, machine *stateMachine, start func() (*engine.Execution, error)) (x *storedExecution, existed bool, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if existing, ok := st.executions[arn]; ok {
		return existing, true, nil
	}
	started, err := start()
	if err != nil {
		return nil, false, err
	}
	st.sequence++
	x = &storedExecution{Execution: started, sequence: st.sequence, express: machine.isExpress(), machine: machine}
	st.executions[arn] = x
	st.byMachine[x.StateMachineARN] = append(st.byMachine[x.StateMachineARN], x)
	go st.retireWhenDone(x, x.Done())
	return x, false, nil
}

// redrive runs a redrive of x under the store's lock, so that the execution leaves the
// eviction queue before anything can evict it, and is queued again when it ends.
func (st *store) redrive(x *storedExecution, redrive func() (time.Time, error)) (time.Time, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.executions[x.ARN]; !ok {
		return time.Time{}, &engine.NotRedrivableError{Reason: engine.ReasonPeriodExceeded}
	}
	at, err := redrive()
	if err != nil {
		return at, err
	}
	if x.retired {
		x.retired = false
		st.finishedBytes -= x.bytes
		if i := slices.Index(st.finished, x); i >= 0 {
			st.finished = slices.Delete(st.finished, i, i+1)
		}
	}
	go st.retireWhenDone(x, x.Done())
	return at, nil
}

// retireWhenDone moves a finished execution to the eviction queue and evicts the
// oldest finished ones beyond the limit. Running executions are never evicted.
func (st *store) retireWhenDone(x *storedExecution, done <-chan struct{}) {
	<-done
	bytes := x.History.ApproximateBytes() + int64(len(x.Input)) + int64(len(x.Result().Output)) + 512
	st.mu.Lock()
	defer st.mu.Unlock()
	if x.Done() != done || x.retired { // redriven meanwhile: its new run has a watcher
		return
	}
	x.retired = true
	x.bytes = bytes
	st.finishedBytes += bytes
	st.finished = append(st.finished, x)
	for len(st.finished) > st.maxFinished || st.finishedBytes > st.maxFinishedBytes && len(st.finished) > 0 {
		st.finishedBytes -= st.finished[0].bytes
		st.evict(st.finished[0])
		st.finished[0] = nil // let the collector have it before the slice is reallocated
		st.finished = st.finished[1:]
	}
}

func (st *store) evict(x *storedExecution) {
	delete(st.executions, x.ARN)
	siblings := st.byMachine[x.StateMachineARN]
	if i := slices.Index(siblings, x); i >= 0 {
		siblings = slices.Delete(siblings, i, i+1)
	}
	if len(siblings) == 0 {
		delete(st.byMachine, x.StateMachineARN)
	} else {
		st.byMachine[x.StateMachineARN] = siblings
	}
}

// executionsBefore lists up to limit of a machine's executions, newest first, that
// started before the one numbered before (0 for the newest) and that keep.
func (st *store) executionsBefore(machineARN string, before uint64, limit int, keep func(*storedExecution) bool) (page []*storedExecution, more bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	all := st.byMachine[machineARN]
	for i := len(all) - 1; i >= 0; i-- {
		x := all[i]
		if before != 0 && x.sequence >= before || !keep(x) {
			continue
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, x)
	}
	return page, false
}

// runningExecutions lists every running execution, for Close.
func (st *store) runningExecutions() []*engine.Execution {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var running []*engine.Execution
	for _, x := range st.executions {
		if x.Status() == engine.Running {
			running = append(running, x.Execution)
		}
	}
	return running
}
