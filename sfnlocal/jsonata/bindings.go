package jsonata

// Bindings are the variables an evaluation sees.
type Bindings struct {
	// States is bound to $states: "input" and "context" always, "result" and "errorOutput"
	// in the fields where AWS provides them. A key that is absent reads as undefined.
	States map[string]any
	// Variables are the workflow variables in scope, each bound to $name.
	Variables map[string]any
	// Sources fixes $random and $uuid; zero uses real randomness.
	Sources Sources
	// Functions, when set, are AWS's functions already bound (see NewFunctions), and
	// Sources is ignored.
	Functions *Functions
}

// statesVariable is the name AWS reserves for the state's data; it shadows a workflow
// variable of the same name.
const statesVariable = "states"

// scope flattens the bindings into the library's variable registry. It is built once per
// evaluation of a template and shared by all of its expressions.
func (b Bindings) scope() map[string]any {
	functions := defaultFunctions
	switch {
	case b.Functions != nil:
		functions = b.Functions.byName
	case b.Sources.Random != nil || b.Sources.UUID != nil:
		functions = awsFunctions(b.Sources)
	}
	vars := make(map[string]any, len(b.Variables)+len(functions)+1)
	// Variables shadow the AWS functions, as bindings passed to a jsonata-js evaluation shadow
	// registered functions.
	for name, f := range functions {
		vars[name] = f
	}
	for name, v := range b.Variables {
		vars[name] = withLibraryNulls(v)
	}
	if b.States != nil {
		vars[statesVariable] = withLibraryNulls(b.States)
	}
	(&depthGuard{}).bind(vars)
	return vars
}
