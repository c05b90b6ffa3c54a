package engine

import "github.com/faresaga/faresaga/sfnlocal/jsonvalue"

// variables are the workflow variables visible to a state. Each Parallel branch and Map
// iteration gets a scope of its own: it reads what the enclosing scopes assigned, and
// what it assigns stays inside it.
type variables struct {
	values map[string]any
	parent *variables
}

func newVariables(parent *variables) *variables {
	return &variables{parent: parent}
}

// Lookup finds name in the innermost scope that has it.
func (v *variables) Lookup(name string) (any, bool) {
	for scope := v; scope != nil; scope = scope.parent {
		if value, ok := scope.values[name]; ok {
			return value, true
		}
	}
	return nil, false
}

// assign sets every variable of values in this scope at once: Assign evaluates all its
// expressions before any variable changes, so the caller evaluates first, then assigns.
func (v *variables) assign(values *jsonvalue.Object) {
	if values.Len() == 0 {
		return
	}
	if v.values == nil {
		v.values = make(map[string]any, values.Len())
	}
	for _, m := range values.Members() {
		v.values[m.Key] = m.Value
	}
}

// All returns every visible variable, inner scopes shadowing outer ones, for the
// expression languages that bind them all at once.
func (v *variables) All() map[string]any {
	var chain []*variables
	for scope := v; scope != nil; scope = scope.parent {
		chain = append(chain, scope)
	}
	all := map[string]any{}
	for i := len(chain) - 1; i >= 0; i-- {
		for name, value := range chain[i].values {
			all[name] = value
		}
	}
	return all
}
