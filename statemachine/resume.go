package statemachine

import (
	"encoding/json"
	"sync"
)

// flow is each state's successor when all goes well: its Next, or a Choice's Default.
var flow = sync.OnceValue(func() map[string]string {
	var def struct {
		States map[string]struct {
			Type, Next, Default string
		}
	}
	if err := json.Unmarshal([]byte(Definition), &def); err != nil {
		panic("statemachine: the embedded definition is not JSON: " + err.Error())
	}
	next := map[string]string{}
	for name, st := range def.States {
		switch {
		case st.Next != "":
			next[name] = st.Next
		case st.Default != "":
			next[name] = st.Default
		}
	}
	return next
})

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
