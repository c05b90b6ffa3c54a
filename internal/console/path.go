package console

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// StateStatus is how a state's last entry (in the runs looked at) went.
type StateStatus string

const (
	NotRun    StateStatus = ""
	Running   StateStatus = "running"
	Succeeded StateStatus = "succeeded"
	Caught    StateStatus = "caught" // it failed and a Catch took the execution on
	Failed    StateStatus = "failed" // the execution failed in it
	Stopped   StateStatus = "stopped"
	TimedOut  StateStatus = "timed-out"
)

// StateTrace is what happened in one state.
type StateTrace struct {
	Status StateStatus
	// Error is the error that was caught, or that failed the execution in the state.
	Error   string
	Retries int // attempts beyond the first, over every entry
	Entries int
	// Compensating: it ran after a caught error, on the way that handles it (in a saga,
	// the compensations).
	Compensating bool
	Runs         []int // the runs it was entered in
	// Earlier says how it ended in an earlier run when a redrive ran it again.
	Earlier string
}

// Run is the original run of an execution or one of its redrives.
type Run struct {
	Number         int
	Started, Ended time.Time // Ended is zero while it runs
	Status         string    // RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT
	Error          string
	// StoppedIn is the state the run ended in, "" when it ended at a Succeed state or
	// with no state open.
	StoppedIn string
}

// Trace is the path an execution took through its machine's graph.
type Trace struct {
	States []StateTrace // by graph node
	Taken  []bool       // by graph edge
	Runs   []Run
}

// The event types the trace reads, by what they mean.
func isEntered(t string) bool { return strings.HasSuffix(t, "StateEntered") }
func isExited(t string) bool  { return strings.HasSuffix(t, "StateExited") }

// isAttempt: a Task scheduled its work (each retry schedules again).
func isAttempt(t string) bool {
	return t == "TaskScheduled" || t == "LambdaFunctionScheduled" || t == "ActivityScheduled"
}

// isStateFailure: the work of the state in progress failed.
func isStateFailure(t string) bool {
	if strings.HasPrefix(t, "Execution") || strings.HasPrefix(t, "MapIteration") || strings.HasPrefix(t, "MapRun") {
		return false
	}
	return strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut")
}

// isStateSuccess: the work of the state in progress succeeded (after a failed attempt,
// the retry did).
func isStateSuccess(t string) bool {
	switch t {
	case "TaskSucceeded", "LambdaFunctionSucceeded", "ActivitySucceeded", "ParallelStateSucceeded", "MapStateSucceeded":
		return true
	}
	return false
}

var executionEnds = map[string]struct {
	run   string
	state StateStatus
}{
	"ExecutionSucceeded": {"SUCCEEDED", Succeeded},
	"ExecutionFailed":    {"FAILED", Failed},
	"ExecutionAborted":   {"ABORTED", Stopped},
	"ExecutionTimedOut":  {"TIMED_OUT", TimedOut},
}

// entry is a state entered and not yet exited.
type entry struct {
	node      int // -1 for a state nested in a Parallel or Map
	name      string
	attempts  int
	failing   bool // its last attempt failed
	lastError string
}

// tracer walks a history once, in order.
type tracer struct {
	g     *Graph
	only  int // the run looked at, 0 for all
	t     Trace
	run   int
	open  []*entry
	edges map[[2]int][]int
	// compensating: a state was caught, so what runs next handles the error.
	compensating bool
	// lastExit is the top-level state exited last, -1 when none is waiting for its
	// successor; lastCaught says whether it was caught.
	lastExit   int
	lastCaught bool
}

// TracePath reads where an execution went from its history: each state's outcome, the
// edges taken and the runs. only is a run number to look at that run alone, 0 for all.
// It also sets each event's Run and State.
func TracePath(g *Graph, events []Event, only int) Trace {
	tr := &tracer{g: g, only: only, run: 1, lastExit: -1, edges: map[[2]int][]int{},
		t: Trace{States: make([]StateTrace, len(g.Nodes)), Taken: make([]bool, len(g.Edges))}}
	for i, e := range g.Edges {
		key := [2]int{e.From, e.To}
		tr.edges[key] = append(tr.edges[key], i)
	}
	for i := range events {
		tr.read(&events[i])
	}
	for _, en := range tr.open {
		if en.node >= 0 && tr.recording() {
			st := &tr.t.States[en.node]
			st.Status, st.Retries = Running, st.Retries+max(0, en.attempts-1)
		}
	}
	return tr.t
}

func (tr *tracer) recording() bool { return tr.only == 0 || tr.only == tr.run }

func (tr *tracer) read(e *Event) {
	switch {
	case e.Type == "ExecutionStarted":
		tr.t.Runs = append(tr.t.Runs, Run{Number: 1, Started: e.Time, Status: "RUNNING"})
		if tr.recording() {
			tr.t.States[0].Status, tr.t.States[0].Entries = Succeeded, 1
		}
	case e.Type == "ExecutionRedriven":
		tr.run++
		tr.t.Runs = append(tr.t.Runs, Run{Number: tr.run, Started: e.Time, Status: "RUNNING"})
		tr.open, tr.lastExit = nil, -1
	case isEntered(e.Type):
		tr.entered(e)
	case isExited(e.Type):
		tr.exited(e)
	case isAttempt(e.Type):
		if en := tr.innermost(); en != nil {
			en.attempts++
		}
	case isStateFailure(e.Type):
		if en := tr.workingState(e.Type); en != nil {
			en.failing, en.lastError = true, e.Error
		}
	case isStateSuccess(e.Type):
		if en := tr.workingState(e.Type); en != nil {
			en.failing = false
		}
	default:
		if end, ok := executionEnds[e.Type]; ok {
			tr.ended(e, end.run, end.state)
		}
	}
	e.Run = tr.run
	if e.State == "" {
		for i := len(tr.open) - 1; i >= 0; i-- {
			if tr.open[i].node >= 0 {
				e.State = tr.open[i].name
				break
			}
		}
	}
}

// workingState is the state an event of work belongs to: a Parallel's or a Map's own
// events to the innermost top-level state (its branches may have left states open),
// a Task's to the innermost state of all.
func (tr *tracer) workingState(eventType string) *entry {
	if strings.HasPrefix(eventType, "ParallelState") || strings.HasPrefix(eventType, "MapState") {
		for i := len(tr.open) - 1; i >= 0; i-- {
			if tr.open[i].node >= 0 {
				return tr.open[i]
			}
		}
		return nil
	}
	return tr.innermost()
}

func (tr *tracer) innermost() *entry {
	if len(tr.open) == 0 {
		return nil
	}
	return tr.open[len(tr.open)-1]
}

func (tr *tracer) entered(e *Event) {
	n, top := tr.g.Index(e.Name)
	if !top {
		tr.open = append(tr.open, &entry{node: -1, name: e.Name})
		return
	}
	tr.open = append(tr.open, &entry{node: n, name: e.Name})
	e.State = e.Name
	if !tr.recording() {
		tr.lastExit = -1
		return
	}
	st := &tr.t.States[n]
	if len(st.Runs) > 0 && st.Runs[len(st.Runs)-1] != tr.run {
		switch st.Status {
		case Failed, Stopped, TimedOut:
			st.Earlier = fmt.Sprintf("%s in run %d", statusWords[st.Status], st.Runs[len(st.Runs)-1])
		}
	}
	st.Entries++
	if !slices.Contains(st.Runs, tr.run) {
		st.Runs = append(st.Runs, tr.run)
	}
	st.Status, st.Error = Running, ""
	st.Compensating = tr.compensating && !tr.g.Nodes[n].Terminal()
	switch {
	case tr.lastExit >= 0:
		tr.take(tr.lastExit, n, tr.lastCaught)
	case tr.run == 1 && n == tr.g.StartAt && st.Entries == 1:
		tr.take(0, n, false)
	}
	tr.lastExit = -1
}

func (tr *tracer) exited(e *Event) {
	e.State = e.Name
	var en *entry
	for i := len(tr.open) - 1; i >= 0; i-- {
		if tr.open[i].name == e.Name {
			en = tr.open[i]
			tr.open = slices.Delete(tr.open, i, i+1)
			break
		}
	}
	if en == nil || en.node < 0 {
		return
	}
	if en.failing {
		tr.compensating = true
	}
	tr.lastExit, tr.lastCaught = en.node, en.failing
	if !tr.recording() {
		return
	}
	st := &tr.t.States[en.node]
	st.Retries += max(0, en.attempts-1)
	if en.failing {
		st.Status, st.Error = Caught, en.lastError
	} else {
		st.Status = Succeeded
	}
}

func (tr *tracer) ended(e *Event, runStatus string, stateStatus StateStatus) {
	run := &tr.t.Runs[len(tr.t.Runs)-1]
	run.Ended, run.Status, run.Error = e.Time, runStatus, e.Error
	for _, en := range tr.open {
		if en.node < 0 {
			continue
		}
		run.StoppedIn = en.name
		if !tr.recording() {
			continue
		}
		st := &tr.t.States[en.node]
		st.Retries += max(0, en.attempts-1)
		st.Status, st.Error = stateStatus, en.lastError
		if st.Error == "" {
			st.Error = e.Error
		}
		if tr.g.Nodes[en.node].Terminal() {
			tr.take(en.node, tr.g.End(), false)
		}
	}
	if runStatus == "SUCCEEDED" && tr.lastExit >= 0 && tr.recording() {
		tr.take(tr.lastExit, tr.g.End(), false)
	}
	if tr.recording() {
		end := &tr.t.States[tr.g.End()]
		end.Status, end.Error, end.Entries = stateStatus, e.Error, end.Entries+1
	}
	tr.open, tr.lastExit = nil, -1
}

// take marks the edge from one node to another as taken: a Catch edge when the source
// was caught, else its normal way out, else any edge between the two.
func (tr *tracer) take(from, to int, caught bool) {
	if !tr.recording() {
		return
	}
	candidates := tr.edges[[2]int{from, to}]
	for _, e := range candidates {
		if (tr.g.Edges[e].Kind == EdgeCatch) == caught {
			tr.t.Taken[e] = true
			return
		}
	}
	if len(candidates) > 0 {
		tr.t.Taken[candidates[0]] = true
	}
}

var statusWords = map[StateStatus]string{
	NotRun: "not run", Running: "running", Succeeded: "succeeded", Caught: "caught",
	Failed: "failed", Stopped: "stopped", TimedOut: "timed out",
}

var statusSigns = map[StateStatus]string{
	NotRun: "○", Running: "▶", Succeeded: "✓", Caught: "⚠", Failed: "✗", Stopped: "■", TimedOut: "◷",
}

// Label is the state's outcome in words, with a sign, so that colour is never the only
// signal: "✓ succeeded", "↩ compensating · ✓ succeeded", "⚠ caught".
func (s StateTrace) Label() string {
	label := statusSigns[s.Status] + " " + statusWords[s.Status]
	if s.Compensating {
		label = "↩ compensating · " + label
	}
	return label
}

// Detail is the second line: the error, the retries, the runs.
func (s StateTrace) Detail() string {
	var parts []string
	if s.Error != "" && (s.Status == Caught || s.Status == Failed) {
		parts = append(parts, s.Error)
	}
	if s.Retries > 0 {
		parts = append(parts, fmt.Sprintf("↻ retried %d×", s.Retries))
	}
	if len(s.Runs) > 1 {
		runs := make([]string, len(s.Runs))
		for i, r := range s.Runs {
			runs[i] = fmt.Sprint(r)
		}
		parts = append(parts, "runs "+strings.Join(runs, ", "))
	} else if s.Entries > 1 {
		parts = append(parts, fmt.Sprintf("entered %d×", s.Entries))
	}
	if s.Earlier != "" {
		parts = append(parts, s.Earlier)
	}
	return strings.Join(parts, " · ")
}
