package jsonata

import "slices"

// Bindings are the variables an evaluation sees.
type Bindings struct {
	// States is bound to $states: "input" and "context" always, "result" and "errorOutput"
	// in the fields where AWS provides them. A key that is absent reads as undefined.
	States map[string]any
	// Variables are the workflow variables in scope, each bound to $name.
	Variables map[string]any
	// Lookup, when set, finds workflow variables instead of Variables: only the names
	// the expressions mention are looked up.
	Lookup func(name string) (any, bool)
	// Sources fixes $random and $uuid; zero uses real randomness.
	Sources Sources
	// Functions, when set, are AWS's functions already bound (see NewFunctions), and
	// Sources is ignored.
	Functions *Functions
}

func (b Bindings) variable(name string) (any, bool) {
	if b.Lookup != nil {
		return b.Lookup(name)
	}
	v, ok := b.Variables[name]
	return v, ok
}

// statesVariable is the name AWS reserves for the state's data; it shadows a workflow
// variable of the same name.
const statesVariable = "states"

// scope is one evaluation's variable registry for the library, and the objects its
// maps were made from. It is built once per evaluation of a template and shared by
// all of its expressions, which run one after the other.
type scope struct {
	vars    map[string]any
	origins origins
}

// scope flattens the bindings into the library's variable registry, with a private
// copy of each built-in function the expressions name (see builtins).
//
// Only what the expressions mention (names) is bound: an evaluation converts no
// variable, and binds no function, that it cannot reach.
func (b Bindings) scope(builtinNames, names []string) *scope {
	functions := defaultFunctions
	switch {
	case b.Functions != nil:
		functions = b.Functions.byName
	case b.Sources.Random != nil || b.Sources.UUID != nil:
		functions = awsFunctions(b.Sources)
	}
	sc := &scope{origins: origins{}}
	vars := make(map[string]any, len(names)+len(builtinNames)+3)
	for _, name := range builtinNames {
		vars[name] = builtinCopy(name)
	}
	// Variables shadow the AWS functions, as bindings passed to a jsonata-js evaluation shadow
	// registered functions.
	for _, name := range names {
		if f, ok := functions[name]; ok {
			vars[name] = &boundFunction{goFunction: f, origins: sc.origins}
		}
	}
	for _, name := range names {
		if v, ok := b.variable(name); ok { // variables shadow the functions
			vars[name] = sc.origins.toLibrary(v)
		}
	}
	if b.States != nil && slices.Contains(names, statesVariable) {
		states := make(map[string]any, len(b.States))
		for k, v := range b.States {
			states[k] = sc.origins.toLibrary(v)
		}
		vars[statesVariable] = states
	}
	(&depthGuard{}).bind(vars)
	sc.vars = vars
	return sc
}
