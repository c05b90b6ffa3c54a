// Package report renders what the saga did for people: an execution's history as a
// timeline of states, retries and compensations, and the rows of the three tables.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/statemachine"
)

// step is one state's run as the timeline shows it, or a mark between runs (a stop, a
// resume).
type step struct {
	mark     string // "" for a state
	name     string
	at       time.Duration // since the execution started
	failures []string      // the errors of failed attempts, in order
	exited   bool
	output   string
}

// Timeline writes one line per state the execution entered: when, whether it succeeded,
// which attempts failed and were retried, and where compensation began.
func Timeline(w io.Writer, x *engine.Execution) {
	events := x.History.Events()
	if len(events) == 0 {
		return
	}
	start := events[0].Timestamp
	var steps []*step
	var current *step
	for i := range events {
		e := &events[i]
		switch {
		case e.ExecutionFailed != nil || e.ExecutionAborted != nil || e.ExecutionTimedOut != nil:
			if i < len(events)-1 { // an end a resume went on from
				steps = append(steps, &step{mark: "  ⏸ " + endOf(e) + ": the fare needs attention"})
			}
		case e.ExecutionRedriven != nil:
			steps = append(steps, &step{mark: fmt.Sprintf("  ↻ resumed by an operator (redrive %d), %.1fs in", e.ExecutionRedriven.RedriveCount, e.Timestamp.Sub(start).Seconds())})
			current = nil
		case e.StateEntered != nil:
			current = &step{name: e.StateEntered.Name, at: e.Timestamp.Sub(start)}
			steps = append(steps, current)
		case e.StateExited != nil && current != nil:
			current.exited, current.output = true, e.StateExited.Output
		case current != nil:
			if failed := failureOf(e); failed != "" {
				current.failures = append(current.failures, failed)
			}
		}
	}
	compensating := false
	for _, s := range steps {
		if s.mark != "" {
			fmt.Fprintln(w, s.mark)
			continue
		}
		if statemachine.IsCompensation(s.name) && !compensating {
			compensating = true
			fmt.Fprintln(w, "          ↩ compensating, most recent step first")
		}
		fmt.Fprintf(w, "  %8s  %-26s %s\n", fmt.Sprintf("+%.1fs", s.at.Seconds()), s.name, s.describe())
	}
	r := x.Result()
	switch r.Status {
	case engine.Succeeded:
		fmt.Fprintf(w, "  %s\n", r.Status)
	default:
		fmt.Fprintf(w, "  %s  %s: %s\n", r.Status, r.Error, r.Cause)
	}
}

func (s *step) describe() string {
	attempts := ""
	if n := len(s.failures); n > 1 {
		attempts = fmt.Sprintf(" after %d attempts", n)
	}
	switch {
	case s.exited && isErrorOutput(s.output):
		return "✗ " + s.lastFailure() + " (caught" + attempts + ")"
	case s.exited && len(s.failures) > 0:
		return "✓" + outcomeOf(s.output) + fmt.Sprintf("  after %d failed attempt(s): %s", len(s.failures), strings.Join(s.failures, ", "))
	case s.exited:
		return "✓" + outcomeOf(s.output)
	case len(s.failures) > 0:
		return "✗ " + s.lastFailure() + attempts
	}
	return "■"
}

func (s *step) lastFailure() string {
	if len(s.failures) == 0 {
		return ""
	}
	return s.failures[len(s.failures)-1]
}

// isErrorOutput reports whether a state's output is the error output a Catch produced.
func isErrorOutput(output string) bool {
	var out map[string]any
	if json.Unmarshal([]byte(output), &out) != nil || len(out) != 2 {
		return false
	}
	_, hasError := out["Error"]
	_, hasCause := out["Cause"]
	return hasError && hasCause
}

// endOf says how an execution ended, for a run a resume went on from.
func endOf(e *history.Event) string {
	switch {
	case e.ExecutionAborted != nil:
		return "stopped"
	case e.ExecutionTimedOut != nil:
		return "timed out"
	}
	return "failed with " + e.ExecutionFailed.Error
}

// failureOf names the error of a failed attempt, "" for other events.
func failureOf(e *history.Event) string {
	var details *history.FailureDetails
	switch {
	case e.TaskFailed != nil:
		details = &e.TaskFailed.FailureDetails
	case e.TaskTimedOut != nil:
		details = &e.TaskTimedOut.FailureDetails
	case e.LambdaFunctionFailed != nil:
		details = e.LambdaFunctionFailed
	case e.LambdaFunctionTimedOut != nil:
		details = e.LambdaFunctionTimedOut
	default:
		return ""
	}
	return details.Error
}

// outcomeOf is what a compensation reports it did (" REFUNDED", " NOTHING_TO_VOID"...).
func outcomeOf(output string) string {
	var out struct {
		Outcome string `json:"outcome"`
	}
	if json.Unmarshal([]byte(output), &out) == nil && out.Outcome != "" {
		return " " + out.Outcome
	}
	return ""
}
