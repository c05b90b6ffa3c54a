package jsonpath

import "github.com/faresaga/faresaga/sfnlocal/intrinsic"

// Env is what evaluation reads besides the value a path is applied to: the context
// object, the workflow variables, and the random and UUID sources of intrinsic
// functions. It is shared with package intrinsic so one value serves both.
type Env = intrinsic.Env

// Variables are the workflow variables a state can read ($name).
type Variables = intrinsic.Variables

// Vars is a flat set of variables, for tests and for callers without scopes.
type Vars map[string]any

// Lookup returns the variable called name.
func (v Vars) Lookup(name string) (any, bool) {
	value, ok := v[name]
	return value, ok
}
