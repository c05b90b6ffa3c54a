package console

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/statemachine"
)

// history builds event sequences as the engine and AWS write them (the shapes of
// `faresaga run --json`): a Task's entry, one Scheduled/Started/Succeeded-or-Failed per
// attempt, its exit; a redrive's ExecutionRedriven after the terminal event.
type history struct {
	events []Event
	at     time.Time
}

func (h *history) add(typ, name, err string) {
	h.at = h.at.Add(time.Millisecond)
	h.events = append(h.events, Event{ID: int64(len(h.events) + 1), Previous: int64(len(h.events)), Time: h.at, Type: typ, Name: name, Error: err})
}

func newHistory() *history {
	h := &history{at: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	h.add("ExecutionStarted", "", "")
	return h
}

// task enters a Task and makes one attempt per error given ("" succeeds); exit says
// whether it leaves the state (a caught or successful task does, one that fails the
// execution does not).
func (h *history) task(name string, exit bool, attempts ...string) *history {
	h.add("TaskStateEntered", name, "")
	for _, err := range attempts {
		h.add("TaskScheduled", "", "")
		h.add("TaskStarted", "", "")
		if err == "" {
			h.add("TaskSucceeded", "", "")
		} else {
			h.add("TaskFailed", "", err)
		}
	}
	if exit {
		h.add("TaskStateExited", name, "")
	}
	return h
}

func (h *history) ok(names ...string) *history {
	for _, name := range names {
		h.task(name, true, "")
	}
	return h
}

func (h *history) choice(name string) *history {
	h.add("ChoiceStateEntered", name, "")
	h.add("ChoiceStateExited", name, "")
	return h
}

func (h *history) succeed(name string) *history {
	h.add("SucceedStateEntered", name, "")
	h.add("SucceedStateExited", name, "")
	h.add("ExecutionSucceeded", "", "")
	return h
}

func (h *history) fail(name, err string) *history {
	h.add("FailStateEntered", name, "")
	h.add("ExecutionFailed", "", err)
	return h
}

func (h *history) end(typ, err string) *history {
	h.add(typ, "", err)
	return h
}

func (h *history) redrive() *history {
	h.add("ExecutionRedriven", "", "")
	return h
}

func repeat(err string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = err
	}
	return out
}

var forward = []string{statemachine.RegisterFare, statemachine.PreAuthorizePayment, statemachine.ChargeFare}

func TestTracePathLabelsEveryStateOfTheFareMachine(t *testing.T) {
	const (
		ok       = "✓ succeeded"
		notRun   = "○ not run"
		caught   = "⚠ caught"
		failed   = "✗ failed"
		compOK   = "↩ compensating · ✓ succeeded"
		running  = "▶ running"
		stopped  = "■ stopped"
		compFail = "↩ compensating · ✗ failed"
	)
	tests := []struct {
		name    string
		history *history
		run     int
		labels  map[string]string // state: label
		details map[string]string // state: detail line
		taken   []string
		notTake []string
		runs    []string // "status in state"
	}{
		{
			name: "happy path",
			history: newHistory().ok(forward...).ok(statemachine.CreditCustomerAccount, statemachine.SetFareStatusCompleted, statemachine.NotifySuccess).
				succeed(statemachine.FareProcessingSucceeded),
			labels: map[string]string{statemachine.RegisterFare: ok, statemachine.NotifySuccess: ok, statemachine.FareProcessingSucceeded: ok,
				statemachine.RefundFare: notRun, statemachine.FareProcessingFailed: notRun, "End": ok},
			taken:   []string{"Start -next-> RegisterFare", "NotifySuccess -next-> FareProcessingSucceeded", "FareProcessingSucceeded -end-> End"},
			notTake: []string{"ChargeFare -catch-> RefundFare"},
			runs:    []string{"SUCCEEDED"},
		},
		{
			name: "the capture is declined: caught, compensated in reverse order",
			history: newHistory().ok(statemachine.RegisterFare, statemachine.PreAuthorizePayment).task(statemachine.ChargeFare, true, "CaptureDeclined").
				ok(statemachine.RefundFare, statemachine.VoidPreAuthorization, statemachine.CancelFare).choice(statemachine.FareOwnedByThisExecution).
				ok(statemachine.NotifyFailure).fail(statemachine.FareProcessingFailed, "CaptureDeclined"),
			labels: map[string]string{statemachine.RegisterFare: ok, statemachine.PreAuthorizePayment: ok, statemachine.ChargeFare: caught,
				statemachine.CreditCustomerAccount: notRun, statemachine.SetFareStatusCompleted: notRun, statemachine.ReverseCustomerCredit: notRun,
				statemachine.RefundFare: compOK, statemachine.VoidPreAuthorization: compOK, statemachine.CancelFare: compOK,
				statemachine.FareOwnedByThisExecution: compOK, statemachine.NotifyFailure: compOK, statemachine.FareProcessingFailed: failed,
				"End": failed},
			details: map[string]string{statemachine.ChargeFare: "CaptureDeclined", statemachine.FareProcessingFailed: "CaptureDeclined"},
			taken: []string{"ChargeFare -catch-> RefundFare", "CancelFare -next-> FareOwnedByThisExecution",
				"FareOwnedByThisExecution -default-> NotifyFailure", "FareProcessingFailed -end-> End"},
			notTake: []string{"ChargeFare -next-> CreditCustomerAccount", "FareOwnedByThisExecution -choice-> FareProcessingFailed",
				"NotifyFailure -catch-> FareProcessingFailed"},
			runs: []string{"FAILED in FareProcessingFailed"},
		},
		{
			name: "a transient fault is retried",
			history: newHistory().ok(statemachine.RegisterFare).task(statemachine.PreAuthorizePayment, true, "GatewayUnavailable", "GatewayUnavailable", "").
				ok(statemachine.ChargeFare).end("ExecutionSucceeded", ""),
			labels:  map[string]string{statemachine.PreAuthorizePayment: ok, statemachine.ChargeFare: ok},
			details: map[string]string{statemachine.PreAuthorizePayment: "↻ retried 2×"},
			taken:   []string{"PreAuthorizePayment -next-> ChargeFare"},
			notTake: []string{"PreAuthorizePayment -catch-> VoidPreAuthorization"},
		},
		{
			name: "bad input goes straight to the end",
			history: newHistory().task(statemachine.RegisterFare, true, "InvalidFareInput").
				fail(statemachine.FareProcessingFailed, "InvalidFareInput"),
			labels:  map[string]string{statemachine.RegisterFare: caught, statemachine.CancelFare: notRun, statemachine.FareProcessingFailed: failed},
			taken:   []string{"RegisterFare -catch-> FareProcessingFailed"},
			notTake: []string{"RegisterFare -catch-> CancelFare"},
		},
		{
			name: "a compensation that cannot finish fails the execution in place",
			history: newHistory().ok(forward...).task(statemachine.CreditCustomerAccount, true, "InjectedFailure").ok(statemachine.ReverseCustomerCredit).
				task(statemachine.RefundFare, false, repeat("GatewayUnavailable", 9)...).end("ExecutionFailed", "GatewayUnavailable"),
			labels: map[string]string{statemachine.CreditCustomerAccount: caught, statemachine.ReverseCustomerCredit: compOK,
				statemachine.RefundFare: compFail, statemachine.VoidPreAuthorization: notRun, "End": failed},
			details: map[string]string{statemachine.RefundFare: "GatewayUnavailable · ↻ retried 8×"},
			runs:    []string{"FAILED in RefundFare"},
		},
		{
			name: "resumed: the redrive runs the compensation again, and on",
			history: newHistory().ok(forward...).task(statemachine.CreditCustomerAccount, true, "InjectedFailure").ok(statemachine.ReverseCustomerCredit).
				task(statemachine.RefundFare, false, repeat("GatewayUnavailable", 9)...).end("ExecutionFailed", "GatewayUnavailable").
				redrive().ok(statemachine.RefundFare, statemachine.VoidPreAuthorization, statemachine.CancelFare).
				choice(statemachine.FareOwnedByThisExecution).ok(statemachine.NotifyFailure).fail(statemachine.FareProcessingFailed, "InjectedFailure"),
			labels: map[string]string{statemachine.RefundFare: compOK, statemachine.VoidPreAuthorization: compOK,
				statemachine.FareProcessingFailed: failed, statemachine.ReverseCustomerCredit: compOK},
			details: map[string]string{statemachine.RefundFare: "↻ retried 8× · runs 1, 2 · failed in run 1"},
			taken:   []string{"RefundFare -next-> VoidPreAuthorization", "ReverseCustomerCredit -next-> RefundFare"},
			runs:    []string{"FAILED in RefundFare", "FAILED in FareProcessingFailed"},
		},
		{
			name: "the same, its second run alone",
			history: newHistory().ok(forward...).task(statemachine.CreditCustomerAccount, true, "InjectedFailure").ok(statemachine.ReverseCustomerCredit).
				task(statemachine.RefundFare, false, repeat("GatewayUnavailable", 9)...).end("ExecutionFailed", "GatewayUnavailable").
				redrive().ok(statemachine.RefundFare, statemachine.VoidPreAuthorization),
			run: 2,
			labels: map[string]string{statemachine.RefundFare: compOK, statemachine.VoidPreAuthorization: compOK,
				statemachine.ReverseCustomerCredit: notRun, statemachine.RegisterFare: notRun},
			details: map[string]string{statemachine.RefundFare: ""},
			taken:   []string{"RefundFare -next-> VoidPreAuthorization"},
			notTake: []string{"ReverseCustomerCredit -next-> RefundFare", "Start -next-> RegisterFare"},
			runs:    []string{"FAILED in RefundFare", "RUNNING"},
		},
		{
			name:    "running: the state in progress",
			history: newHistory().ok(statemachine.RegisterFare).task(statemachine.PreAuthorizePayment, false, "GatewayUnavailable"),
			labels:  map[string]string{statemachine.RegisterFare: ok, statemachine.PreAuthorizePayment: running, statemachine.ChargeFare: notRun},
			details: map[string]string{statemachine.PreAuthorizePayment: ""},
			runs:    []string{"RUNNING"},
		},
		{
			name: "stopped by an operator while a Task ran",
			history: newHistory().ok(statemachine.RegisterFare).task(statemachine.PreAuthorizePayment, false).
				end("ExecutionAborted", ""),
			labels: map[string]string{statemachine.PreAuthorizePayment: stopped, "End": stopped},
			runs:   []string{"ABORTED in PreAuthorizePayment"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGraph(statemachine.Definition)
			require.NoError(t, err)
			tr := TracePath(g, tt.history.events, tt.run)
			for state, want := range tt.labels {
				i, ok := g.Index(state)
				if state == "End" {
					i, ok = g.End(), true
				}
				require.True(t, ok, state)
				assert.Equal(t, want, tr.States[i].Label(), "label of %s", state)
			}
			for state, want := range tt.details {
				i, _ := g.Index(state)
				assert.Equal(t, want, tr.States[i].Detail(), "detail of %s", state)
			}
			taken := map[string]bool{}
			for i, e := range edgeSet(g) {
				taken[e] = tr.Taken[i]
			}
			for _, e := range tt.taken {
				assert.True(t, taken[e], "%s taken", e)
			}
			for _, e := range tt.notTake {
				assert.False(t, taken[e], "%s not taken", e)
			}
			if tt.runs != nil {
				var runs []string
				for _, r := range tr.Runs {
					s := r.Status
					if r.StoppedIn != "" {
						s += " in " + r.StoppedIn
					}
					runs = append(runs, s)
				}
				assert.Equal(t, tt.runs, runs)
			}
		})
	}
}

func TestTracePathTellsEveryEventItsRunAndState(t *testing.T) {
	g, err := ParseGraph(statemachine.Definition)
	require.NoError(t, err)
	h := newHistory().ok(statemachine.RegisterFare).task(statemachine.PreAuthorizePayment, false, "X").end("ExecutionFailed", "X").
		redrive().ok(statemachine.PreAuthorizePayment)
	TracePath(g, h.events, 0)
	var got []string
	for _, e := range h.events {
		got = append(got, fmt.Sprintf("%d %s %s", e.Run, e.Type, e.State))
	}
	assert.Equal(t, []string{
		"1 ExecutionStarted ",
		"1 TaskStateEntered RegisterFare", "1 TaskScheduled RegisterFare", "1 TaskStarted RegisterFare",
		"1 TaskSucceeded RegisterFare", "1 TaskStateExited RegisterFare",
		"1 TaskStateEntered PreAuthorizePayment", "1 TaskScheduled PreAuthorizePayment", "1 TaskStarted PreAuthorizePayment",
		"1 TaskFailed PreAuthorizePayment", "1 ExecutionFailed ",
		"2 ExecutionRedriven ",
		"2 TaskStateEntered PreAuthorizePayment", "2 TaskScheduled PreAuthorizePayment", "2 TaskStarted PreAuthorizePayment",
		"2 TaskSucceeded PreAuthorizePayment", "2 TaskStateExited PreAuthorizePayment",
	}, got)
}

// States nested in a Parallel are not drawn: their work counts for nobody but them, and
// the Parallel's own failure, caught, is the Parallel's.
func TestTracePathKeepsNestedStatesToThemselves(t *testing.T) {
	g, err := ParseGraph(layoutMachines["parallel"])
	require.NoError(t, err)
	h := newHistory()
	h.add("ParallelStateEntered", "Both", "")
	h.add("ParallelStateStarted", "", "")
	h.add("PassStateEntered", "A", "")
	h.add("PassStateExited", "A", "")
	h.add("TaskStateEntered", "B", "") // a branch left open when its sibling failed
	h.add("TaskScheduled", "", "")
	h.add("TaskFailed", "", "Boom")
	h.add("ParallelStateFailed", "", "States.BranchFailed")
	h.add("ParallelStateExited", "Both", "")
	h.fail("Oops", "Broken")
	tr := TracePath(g, h.events, 0)
	both, _ := g.Index("Both")
	oops, _ := g.Index("Oops")
	assert.Equal(t, "⚠ caught", tr.States[both].Label())
	assert.Equal(t, "States.BranchFailed", tr.States[both].Detail())
	assert.Equal(t, 0, tr.States[both].Retries, "a branch's Task attempts are not the Parallel's retries")
	assert.Equal(t, "✗ failed", tr.States[oops].Label())
}
