package asl

// transition is one edge of a scope's graph, with where the definition declares it.
type transition struct {
	target string
	loc    string
}

// transitions lists every state s may move to: Next, Choice rules and Default, catchers.
func transitions(s *State, loc string) []transition {
	var edges []transition
	add := func(target, at string) {
		if target != "" {
			edges = append(edges, transition{target, at})
		}
	}
	add(s.Next, pointer(loc, "Next"))
	add(s.Default, pointer(loc, "Default"))
	for i, rule := range s.Choices {
		add(rule.Next, pointer(pointer(pointer(loc, "Choices"), i), "Next"))
	}
	for i, catcher := range s.Catch {
		add(catcher.Next, pointer(pointer(pointer(loc, "Catch"), i), "Next"))
	}
	return edges
}

// checkTransitions checks a scope's graph: every target exists in the scope (a branch or
// an item processor cannot jump out), every state is reachable, and something ends it.
func (p *parser) checkTransitions(def *Definition, loc string) {
	statesLoc := pointer(loc, "States")
	edges := map[string][]string{}
	for _, name := range def.StateNames {
		for _, edge := range transitions(def.States[name], pointer(statesLoc, name)) {
			if p.checkTarget(def, edge) {
				edges[name] = append(edges[name], edge.target)
			}
		}
	}
	if def.StartAt == "" || !p.checkTarget(def, transition{def.StartAt, pointer(loc, "StartAt")}) {
		return
	}
	reached := map[string]bool{def.StartAt: true}
	for pending := []string{def.StartAt}; len(pending) > 0; pending = pending[1:] {
		for _, target := range edges[pending[0]] {
			if !reached[target] {
				reached[target] = true
				pending = append(pending, target)
			}
		}
	}
	terminal := false
	for _, name := range def.StateNames {
		s := def.States[name]
		terminal = terminal || s.End || s.Type == TypeSucceed || s.Type == TypeFail
		if !reached[name] {
			p.errorAt(CodeUnreachableState, pointer(statesLoc, name), "state %q is not reachable from StartAt %q", name, def.StartAt)
		}
	}
	if !terminal {
		p.errorAt(CodeMissingEndState, statesLoc, "no state ends this scope: it needs a Succeed or Fail state or one with \"End\": true")
	}
}

func (p *parser) checkTarget(def *Definition, edge transition) bool {
	if _, exists := def.States[edge.target]; exists {
		return true
	}
	p.errorAt(CodeMissingTransitionTarget, edge.loc, "missing transition target %q: no such state in this scope", edge.target)
	return false
}
