// Package jsonpath evaluates the JSONPath side of the Amazon States Language: reference
// paths and JSONPath queries ($.a.b, $['a b'], $.a[0], $.a[*].b, $..b, slices, filters)
// over the state input, the context object ($$.) and workflow variables ($name);
// payload templates (Parameters, ResultSelector, ItemSelector, Assign) whose ".$" keys
// hold paths or intrinsic function calls; and the InputPath / ResultPath / OutputPath
// steps of a state.
//
// Everything is compiled once (Compile, CompileTemplate, CompileAssign) and evaluated
// many times. Evaluation never modifies its inputs and shares unchanged parts of them
// with its results instead of copying: callers must treat JSON values as immutable.
//
// Failures of a running machine are *failure.Error with AWS's names and messages,
// without the "An error occurred while executing the state ..." prefix, which the
// interpreter adds because only it knows the state and event.
package jsonpath
