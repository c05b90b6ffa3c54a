package statemachine

import (
	"encoding/json"
	"sync"
)

// states is each state's type and successor when all goes well (its Next, or a Choice's
// Default), from the definition.
var states = sync.OnceValue(func() map[string]struct{ Type, Next, Default string } {
	var def struct {
		States map[string]struct{ Type, Next, Default string }
	}
	if err := json.Unmarshal([]byte(Definition), &def); err != nil {
		panic("statemachine: the embedded definition is not JSON: " + err.Error())
	}
	return def.States
})

// flow is each state's successor when all goes well.
var flow = sync.OnceValue(func() map[string]string {
	next := map[string]string{}
	for name, st := range states() {
		switch {
		case st.Next != "":
			next[name] = st.Next
		case st.Default != "":
			next[name] = st.Default
		}
	}
	return next
})

// IsEnd reports whether state ends an execution (a Succeed or Fail state): an execution
// whose last state was one ran its path to the end, and was not stopped on the way.
func IsEnd(state string) bool {
	t := states()[state].Type
	return t == "Succeed" || t == "Fail"
}

// ResumePath is what a redrive of an execution stopped in state runs when all goes
// well: that state again, then its successors to the end. A stop in a compensation
// resumes the compensation chain; a stop in a forward step resumes the forward path.
func ResumePath(state string) []string {
	next := flow()
	var path []string
	seen := map[string]bool{}
	for s := state; s != "" && !seen[s]; s = next[s] {
		seen[s] = true
		path = append(path, s)
	}
	return path
}
