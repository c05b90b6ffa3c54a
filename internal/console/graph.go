package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Graph is a state machine's top-level states and the transitions between them, read
// from its definition, with a start and an end node as the AWS console draws them.
// States nested in a Parallel or a Map are drawn inside their parent's node only.
type Graph struct {
	Nodes []Node
	Edges []Edge
	// StartAt is the index of the state the machine starts at.
	StartAt int
	byName  map[string]int
}

// Node kinds beyond the States Language's state types.
const (
	kindStart = "start"
	kindEnd   = "end"
)

// Node is a state, or the start or end.
type Node struct {
	Name string
	Type string // Task, Choice, Pass, Wait, Succeed, Fail, Parallel, Map; kindStart, kindEnd
	// Detail is a short description: a Task's resource, a Parallel's branch count.
	Detail string
	// Retries describes the state's Retry rules, "" for none.
	Retries string
	// Box, once laid out.
	X, Y, W, H float64
}

// Terminal reports whether the node is a Succeed or Fail state: entering it does nothing.
func (n Node) Terminal() bool { return n.Type == "Succeed" || n.Type == "Fail" }

// pseudo reports whether the node is the start or the end, not a state.
func (n Node) pseudo() bool { return n.Type == kindStart || n.Type == kindEnd }

// EdgeKind is why a transition exists.
type EdgeKind string

const (
	EdgeNext    EdgeKind = "next"    // Next, or the start
	EdgeChoice  EdgeKind = "choice"  // a Choice rule
	EdgeDefault EdgeKind = "default" // a Choice's Default
	EdgeCatch   EdgeKind = "catch"   // a Catch: into error handling, a saga's compensations
	EdgeEnd     EdgeKind = "end"     // End, or a Succeed or Fail state, to the end node
)

// Edge is one transition.
type Edge struct {
	From, To int
	Kind     EdgeKind
	// Label says when it is taken: a Catch's errors, a Choice rule's condition.
	Label string
	// Points is the route, from the source's port to the target's, once laid out.
	Points []Point
	// reversed: the layout turned it around to break a cycle.
	reversed bool
}

// Point is a position in the drawing.
type Point struct{ X, Y float64 }

// maxLabel bounds an edge label: a JSONata condition can be long.
const maxLabel = 120

// state is what the graph reads of a state.
type state struct {
	Type      string            `json:"Type"`
	Next      string            `json:"Next"`
	End       bool              `json:"End"`
	Default   string            `json:"Default"`
	Resource  string            `json:"Resource"`
	Choices   []choiceRule      `json:"Choices"`
	Catch     []catcher         `json:"Catch"`
	Retry     []retrier         `json:"Retry"`
	Branches  []json.RawMessage `json:"Branches"`
	Seconds   json.RawMessage   `json:"Seconds"`
	Error     json.RawMessage   `json:"Error"`
	Processor json.RawMessage   `json:"ItemProcessor"`
	Iterator  json.RawMessage   `json:"Iterator"`
}

type choiceRule struct {
	Next      string          `json:"Next"`
	Condition json.RawMessage `json:"Condition"`
	Variable  string          `json:"Variable"`
	// JSONPath rules compare with one of many operators; And, Or and Not nest them.
	Rest map[string]json.RawMessage `json:"-"`
}

type catcher struct {
	ErrorEquals []string `json:"ErrorEquals"`
	Next        string   `json:"Next"`
}

type retrier struct {
	ErrorEquals []string `json:"ErrorEquals"`
	MaxAttempts *int     `json:"MaxAttempts"`
}

// ParseGraph reads the top-level states of a definition, in the order they are written.
func ParseGraph(definition string) (*Graph, error) {
	var top struct {
		StartAt string          `json:"StartAt"`
		States  json.RawMessage `json:"States"`
	}
	if err := json.Unmarshal([]byte(definition), &top); err != nil {
		return nil, fmt.Errorf("the definition is not JSON: %w", err)
	}
	names, raws, err := orderedMembers(top.States)
	if err != nil {
		return nil, fmt.Errorf("the definition's States: %w", err)
	}
	g := &Graph{byName: map[string]int{}}
	g.Nodes = append(g.Nodes, Node{Name: "Start", Type: kindStart})
	states := make([]state, len(names))
	for i, name := range names {
		if err := json.Unmarshal(raws[i], &states[i]); err != nil {
			return nil, fmt.Errorf("state %q: %w", name, err)
		}
		if _, dup := g.byName[name]; dup {
			return nil, fmt.Errorf("state %q is defined twice", name)
		}
		g.byName[name] = len(g.Nodes)
		g.Nodes = append(g.Nodes, Node{Name: name, Type: states[i].Type, Detail: states[i].detail(), Retries: states[i].retries()})
	}
	end := len(g.Nodes)
	g.Nodes = append(g.Nodes, Node{Name: "End", Type: kindEnd})
	start, ok := g.byName[top.StartAt]
	if !ok {
		return nil, fmt.Errorf("StartAt %q names no state", top.StartAt)
	}
	g.StartAt = start
	g.Edges = append(g.Edges, Edge{From: 0, To: start, Kind: EdgeNext})
	for i, st := range states {
		from := i + 1
		add := func(to string, kind EdgeKind, label string) {
			if target, ok := g.byName[to]; ok {
				g.Edges = append(g.Edges, Edge{From: from, To: target, Kind: kind, Label: clip(label, maxLabel)})
			}
		}
		for n, rule := range st.Choices {
			add(rule.Next, EdgeChoice, rule.describe(n+1))
		}
		if st.Default != "" {
			add(st.Default, EdgeDefault, "Default")
		}
		add(st.Next, EdgeNext, "")
		for _, c := range st.Catch {
			add(c.Next, EdgeCatch, strings.Join(c.ErrorEquals, ", "))
		}
		if st.End || st.Type == "Succeed" || st.Type == "Fail" {
			g.Edges = append(g.Edges, Edge{From: from, To: end, Kind: EdgeEnd})
		}
	}
	return g, nil
}

// Index is the node of a state name.
func (g *Graph) Index(name string) (int, bool) {
	i, ok := g.byName[name]
	return i, ok
}

// End is the end node's index.
func (g *Graph) End() int { return len(g.Nodes) - 1 }

// orderedMembers splits a JSON object into its member names and values, in order.
func orderedMembers(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not an object")
	}
	var names []string
	var values []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, nil, err
		}
		names = append(names, name)
		values = append(values, value)
	}
	return names, values, nil
}

func (st state) detail() string {
	switch st.Type {
	case "Task":
		return shortResource(st.Resource)
	case "Parallel":
		if len(st.Branches) == 1 {
			return "1 branch"
		}
		return fmt.Sprintf("%d branches", len(st.Branches))
	case "Map":
		return "runs its states for each item"
	case "Wait":
		if len(st.Seconds) > 0 {
			return "waits " + clip(string(st.Seconds), 40) + " s"
		}
	case "Fail":
		if len(st.Error) > 0 {
			var text string
			if json.Unmarshal(st.Error, &text) == nil {
				return clip(text, 60)
			}
		}
	}
	return ""
}

func (st state) retries() string {
	var parts []string
	for _, r := range st.Retry {
		attempts := 3
		if r.MaxAttempts != nil {
			attempts = *r.MaxAttempts
		}
		parts = append(parts, fmt.Sprintf("%s: up to %d", strings.Join(r.ErrorEquals, ", "), attempts))
	}
	return strings.Join(parts, "; ")
}

// shortResource is the part of a Task's resource ARN that says what it runs:
// "lambda:invoke" of "arn:aws:states:::lambda:invoke".
func shortResource(arn string) string {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:states:::"); ok {
		return rest
	}
	if i := strings.LastIndex(arn, ":function:"); i >= 0 {
		return "function " + arn[i+len(":function:"):]
	}
	return clip(arn, 60)
}

func (r *choiceRule) UnmarshalJSON(data []byte) error {
	type plain choiceRule
	if err := json.Unmarshal(data, (*plain)(r)); err != nil {
		return err
	}
	return json.Unmarshal(data, &r.Rest)
}

// describe says when a Choice rule is taken: its JSONata condition, or its JSONPath
// comparison.
func (r choiceRule) describe(n int) string {
	if len(r.Condition) > 0 {
		var text string
		if json.Unmarshal(r.Condition, &text) == nil {
			return fmt.Sprintf("rule %d: %s", n, text)
		}
	}
	ops := make([]string, 0, len(r.Rest))
	for op := range r.Rest {
		switch op {
		case "Next", "Variable", "Condition", "Comment", "Assign", "Output":
		default:
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	if len(ops) > 0 {
		return fmt.Sprintf("rule %d: %s %s %s", n, r.Variable, ops[0], string(r.Rest[ops[0]]))
	}
	return fmt.Sprintf("rule %d", n)
}

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-1]) + "…"
}
