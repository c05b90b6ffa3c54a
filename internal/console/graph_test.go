package console

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/statemachine"
)

// edgeSet lists a graph's edges as "From -kind-> To".
func edgeSet(g *Graph) []string {
	var out []string
	for _, e := range g.Edges {
		out = append(out, fmt.Sprintf("%s -%s-> %s", g.Nodes[e.From].Name, e.Kind, g.Nodes[e.To].Name))
	}
	return out
}

func TestTheFareMachineGraphHasItsCatchesIntoCompensationsAndItsChoice(t *testing.T) {
	g, err := ParseGraph(statemachine.Definition)
	require.NoError(t, err)
	names := make([]string, len(g.Nodes))
	for i, n := range g.Nodes {
		names[i] = n.Name
	}
	assert.Equal(t, []string{"Start", "RegisterFare", "PreAuthorizePayment", "ChargeFare", "CreditCustomerAccount",
		"SetFareStatusCompleted", "NotifySuccess", "FareProcessingSucceeded", "ReverseCustomerCredit", "RefundFare",
		"VoidPreAuthorization", "CancelFare", "FareOwnedByThisExecution", "NotifyFailure", "FareProcessingFailed",
		"FareNeedsAttention", "End"}, names, "every state, in the definition's order, between the start and the end")
	edges := edgeSet(g)
	for _, want := range []string{
		"Start -next-> RegisterFare",
		"RegisterFare -next-> PreAuthorizePayment",
		"RegisterFare -catch-> CancelFare",
		"RegisterFare -catch-> FareProcessingFailed",
		"PreAuthorizePayment -catch-> VoidPreAuthorization",
		"ChargeFare -catch-> RefundFare",
		"CreditCustomerAccount -catch-> ReverseCustomerCredit",
		"SetFareStatusCompleted -catch-> ReverseCustomerCredit",
		"ChargeFare -catch-> FareNeedsAttention",
		"ReverseCustomerCredit -next-> RefundFare",
		"CancelFare -next-> FareOwnedByThisExecution",
		"FareOwnedByThisExecution -choice-> FareProcessingFailed",
		"FareOwnedByThisExecution -default-> NotifyFailure",
		"FareProcessingSucceeded -end-> End",
		"FareProcessingFailed -end-> End",
		"FareNeedsAttention -end-> End",
	} {
		assert.Contains(t, edges, want)
	}
	for _, e := range g.Edges {
		if e.Kind == EdgeCatch && g.Nodes[e.From].Name == "RegisterFare" && g.Nodes[e.To].Name == "CancelFare" {
			assert.Equal(t, "States.ALL", e.Label, "a Catch edge says which errors take it")
		}
		if e.Kind == EdgeChoice {
			assert.Contains(t, e.Label, "rule 1: ", "a Choice edge says its rule")
		}
	}
}

// machines the layout must draw: the fare's, a loop back to an earlier state, a state
// that loops to itself, a Parallel, unreachable states, and one state alone.
var layoutMachines = map[string]string{
	"fare": statemachine.Definition,
	"loop": `{"StartAt":"Poll","States":{
		"Poll":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"Done?"},
		"Done?":{"Type":"Choice","Choices":[{"Variable":"$.done","BooleanEquals":true,"Next":"Finish"}],"Default":"Wait"},
		"Wait":{"Type":"Wait","Seconds":5,"Next":"Poll"},
		"Finish":{"Type":"Succeed"}}}`,
	"self-loop": `{"StartAt":"Again","States":{
		"Again":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n < 3 %}","Next":"Again"}],"Default":"Out"},
		"Out":{"Type":"Pass","End":true}}}`,
	"parallel": `{"StartAt":"Both","States":{
		"Both":{"Type":"Parallel","Branches":[
			{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}},
			{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],
			"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Oops"}],"End":true},
		"Oops":{"Type":"Fail","Error":"Broken","Cause":"a branch failed"}}}`,
	"unreachable": `{"StartAt":"One","States":{"One":{"Type":"Pass","End":true},"Island":{"Type":"Pass","Next":"Island2"},"Island2":{"Type":"Succeed"}}}`,
	"alone":       `{"StartAt":"Only","States":{"Only":{"Type":"Succeed"}}}`,
}

func TestLayoutPlacesNoBoxOverAnotherAndRoutesEveryEdgeBetweenItsEnds(t *testing.T) {
	for name, definition := range layoutMachines {
		t.Run(name, func(t *testing.T) {
			g, err := ParseGraph(definition)
			require.NoError(t, err)
			width, height := g.Layout()
			for i, a := range g.Nodes {
				assert.GreaterOrEqual(t, a.X, 0.0, "%s inside the drawing", a.Name)
				assert.GreaterOrEqual(t, a.Y, 0.0, "%s inside the drawing", a.Name)
				assert.LessOrEqual(t, a.X+a.W, width, "%s inside the drawing", a.Name)
				assert.LessOrEqual(t, a.Y+a.H, height, "%s inside the drawing", a.Name)
				for _, b := range g.Nodes[i+1:] {
					overlap := a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
					assert.False(t, overlap, "%s and %s overlap", a.Name, b.Name)
				}
			}
			for _, e := range g.Edges {
				require.NotEmpty(t, e.Points, "edge %s → %s has a route", g.Nodes[e.From].Name, g.Nodes[e.To].Name)
				from, to := g.Nodes[e.From], g.Nodes[e.To]
				assert.True(t, onBorder(from, e.Points[0]), "edge %s → %s leaves from its source's border", from.Name, to.Name)
				assert.True(t, onBorder(to, e.Points[len(e.Points)-1]), "edge %s → %s ends on its target's border", from.Name, to.Name)
				assert.NotEmpty(t, e.Path())
			}
		})
	}
}

func onBorder(n Node, p Point) bool {
	const slack = 0.01
	inX := p.X >= n.X-slack && p.X <= n.X+n.W+slack
	inY := p.Y >= n.Y-slack && p.Y <= n.Y+n.H+slack
	onSide := abs(p.X-n.X) < slack || abs(p.X-n.X-n.W) < slack || abs(p.Y-n.Y) < slack || abs(p.Y-n.Y-n.H) < slack
	return inX && inY && onSide
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestLayoutDrawsTheFarePathDownwardsInOrderAndTheSameEveryTime(t *testing.T) {
	first, err := ParseGraph(statemachine.Definition)
	require.NoError(t, err)
	first.Layout()
	forward := []string{"Start", "RegisterFare", "PreAuthorizePayment", "ChargeFare", "CreditCustomerAccount",
		"SetFareStatusCompleted", "NotifySuccess", "FareProcessingSucceeded"}
	compensations := []string{"ReverseCustomerCredit", "RefundFare", "VoidPreAuthorization", "CancelFare",
		"FareOwnedByThisExecution", "NotifyFailure", "FareProcessingFailed", "End"}
	for _, path := range [][]string{forward, compensations} {
		for i := 1; i < len(path); i++ {
			a, _ := first.Index(path[i-1])
			b, _ := first.Index(path[i])
			if path[i] == "End" {
				b = first.End()
			}
			if path[i-1] == "Start" {
				a = 0
			}
			assert.Less(t, first.Nodes[a].Y, first.Nodes[b].Y, "%s above %s", path[i-1], path[i])
		}
	}
	// The forward path is one column: every step straight below the one before.
	register, _ := first.Index("RegisterFare")
	for _, name := range forward[2:5] {
		i, _ := first.Index(name)
		assert.InDelta(t, first.Nodes[register].X, first.Nodes[i].X, 0.5, "%s in RegisterFare's column", name)
	}
	for run := 0; run < 3; run++ {
		again, err := ParseGraph(statemachine.Definition)
		require.NoError(t, err)
		again.Layout()
		assert.Equal(t, first.Nodes, again.Nodes)
		for i := range first.Edges {
			assert.Equal(t, first.Edges[i].Path(), again.Edges[i].Path())
		}
	}
}

func TestALoopIsDrawnBackUpwards(t *testing.T) {
	g, err := ParseGraph(layoutMachines["loop"])
	require.NoError(t, err)
	g.Layout()
	poll, _ := g.Index("Poll")
	wait, _ := g.Index("Wait")
	assert.Less(t, g.Nodes[poll].Y, g.Nodes[wait].Y, "the loop's start is drawn first")
	for _, e := range g.Edges {
		if e.From == wait && e.To == poll {
			last := e.Points[len(e.Points)-1]
			assert.InDelta(t, g.Nodes[poll].Y+g.Nodes[poll].H, last.Y, 0.01, "the edge back enters Poll from below")
		}
	}
}

func TestParseGraphRefusesWhatIsNoMachine(t *testing.T) {
	for name, definition := range map[string]string{
		"not JSON":           `{"StartAt":`,
		"States not object":  `{"StartAt":"A","States":[]}`,
		"StartAt names none": `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`,
		"state not object":   `{"StartAt":"A","States":{"A":7}}`,
		"state twice":        `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"A":{"Type":"Fail"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseGraph(definition)
			assert.Error(t, err)
		})
	}
}
