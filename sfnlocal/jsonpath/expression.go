package jsonpath

import (
	"errors"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
)

// Expression is the value of a ".$" field, ErrorPath or CausePath: a path or an
// intrinsic function call.
type Expression struct {
	text string
	path *Path
	call *intrinsic.Call
}

// CompileExpression compiles a path ($.x, $$.x, $var) or an intrinsic function call.
func CompileExpression(text string) (*Expression, error) {
	if intrinsic.IsCall(text) {
		call, err := intrinsic.Parse(text, compileReference)
		if err != nil {
			return nil, err
		}
		return &Expression{text: text, call: call}, nil
	}
	path, err := Compile(text)
	if err != nil {
		return nil, err
	}
	return &Expression{text: text, path: path}, nil
}

// compileReference is the PathCompiler intrinsic calls get their path arguments from.
func compileReference(text string) (intrinsic.Reference, error) {
	p, err := Compile(text)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// String returns the expression as written.
func (e *Expression) String() string { return e.text }

// Eval evaluates the expression; field names the field that holds it, for the message
// AWS gives when a path in it selects nothing.
func (e *Expression) Eval(field string, input any, env *Env) (any, error) {
	if e.path != nil {
		v, ok := e.path.Lookup(input, env)
		if !ok {
			return nil, FieldNotFound(field, e.text, input)
		}
		return v, nil
	}
	v, err := e.call.Eval(input, env)
	var notFound *intrinsic.PathNotFoundError
	if errors.As(err, &notFound) {
		return nil, FieldNotFound(field, notFound.Path, input)
	}
	return v, err
}

// FieldNotFound is AWS's failure for a path in a field that selects nothing (recorded:
// "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be
// found in the input '{...}'"). The interpreter uses it for CausePath and ErrorPath too.
func FieldNotFound(field, path string, input any) *failure.Error {
	return failure.New(failure.Runtime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'",
		path, field, jsonText(input))
}
