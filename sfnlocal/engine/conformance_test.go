package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/conformance"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// TestConformance runs the executions recorded on AWS (../shared/conformance beside the
// checkout) on the engine directly, without the API server, and reports per area how
// many end as AWS's did. It fails when an area falls below the floor it had reached.
func TestConformance(t *testing.T) {
	dir := conformance.Dir()
	if dir == "" {
		t.Skip("../shared/conformance is not beside this checkout: no recorded executions to compare with")
	}
	cases, err := conformance.Load(dir)
	require.NoError(t, err)
	mocks, err := task.LoadMockConfig(conformance.MockConfigFile(dir))
	require.NoError(t, err)
	registry := task.NewRegistry()
	registry.UseMocks(mocks)

	type tally struct{ cases, outcome, events, eventsChecked int }
	areas := map[string]*tally{}
	var failures []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range cases {
		c := &cases[i]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			outcome, events := runCase(c, registry)
			mu.Lock()
			defer mu.Unlock()
			a := areas[c.Area]
			if a == nil {
				a = &tally{}
				areas[c.Area] = a
			}
			a.cases++
			if reason := c.CheckOutcome(outcome); reason == "" {
				a.outcome++
			} else {
				failures = append(failures, fmt.Sprintf("%s (%s): %s", c.File, c.ID, reason))
			}
			if c.Events != nil && c.EventsOrder != "none" {
				a.eventsChecked++
				if reason := c.CheckEvents(events); reason == "" {
					a.events++
				} else if testing.Verbose() {
					failures = append(failures, fmt.Sprintf("EVENTS %s: %s", c.File, reason))
				}
			}
		}()
	}
	wg.Wait()
	names := make([]string, 0, len(areas))
	for name := range areas {
		names = append(names, name)
	}
	sort.Strings(names)
	total, passed := 0, 0
	for _, name := range names {
		a := areas[name]
		total += a.cases
		passed += a.outcome
		t.Logf("%-22s %3d cases  OUTCOME %3d (%5.1f%%)  EVENTS %3d/%3d", name, a.cases, a.outcome,
			100*float64(a.outcome)/float64(a.cases), a.events, a.eventsChecked)
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Log(f)
	}
	t.Logf("recorded cases: %d as on AWS, %d not", passed, total-passed)
	for area, floor := range outcomeFloor {
		if a := areas[area]; a != nil && a.outcome < floor {
			t.Errorf("%s: %d cases end as on AWS, fewer than the %d reached before", area, a.outcome, floor)
		}
	}
}

// outcomeFloor is how many cases of each area ended as on AWS when this was last
// raised; the cases below the floor are named in the issue notes (most compare
// against normalisation tokens of the recorder, such as "snf_role_arn").
var outcomeFloor = map[string]int{
	"assign": 24, "base": 28, "choice_operators": 359, "context_object": 2, "error_handling": 9,
	"intrinsic_functions": 117, "jsonata": 23, "local_mocking": 1, "query_language": 9,
	"scenarios_choice": 8, "scenarios_map": 54, "scenarios_other": 11, "scenarios_parallel": 3,
	"scenarios_retry_catch": 6, "scenarios_wait": 13, "states_variables": 8, "task_lambda": 14,
}

func runCase(c *conformance.Case, registry *task.Registry) (conformance.Outcome, []conformance.Event) {
	m, err := Compile(c.Definition)
	if err != nil {
		return conformance.Outcome{Status: "INVALID_DEFINITION", Cause: err.Error()}, nil
	}
	e := New(Options{Clock: clock.NewVirtual(time.Date(2024, 11, 4, 11, 40, 50, 0, time.UTC)), Tasks: registry, Seed: 1})
	arn := "arn:aws:states:us-east-1:000000000000:stateMachine:" + c.StateMachineName
	in := StartInput{
		StateMachineName: c.StateMachineName, StateMachineARN: arn,
		Name: "conformance", ARN: strings.Replace(arn, ":stateMachine:", ":execution:", 1) + ":conformance",
		RoleARN: "arn:aws:iam::000000000000:role/conformance", Input: string(c.Input),
	}
	if c.Mock != nil {
		in.TestCase = c.Mock.TestCase
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := e.Run(ctx, m, in)
	if err != nil {
		return conformance.Outcome{Status: "START_FAILED", Cause: err.Error()}, nil
	}
	res := x.Result()
	var events []conformance.Event
	for _, ev := range x.History.Events() {
		events = append(events, conformance.Event{Type: ev.Type, Name: ev.StateName()})
	}
	return conformance.Outcome{Status: string(res.Status), Output: res.Output, Error: res.Error, Cause: res.Cause}, events
}
