package jsonata

import (
	"errors"
	"fmt"
	"reflect"

	lib "github.com/blues/jsonata-go"
)

// Expression is a compiled JSONata expression. It is safe for concurrent use.
type Expression struct {
	source   string   // as written between the delimiters, for causes
	compiled lib.Expr // never evaluated itself: each evaluation works on a copy (see evaluate)
	path     *fieldPath
	builtins []string // the library's built-in functions it names (see builtins.go)
	names    []string // every $name it mentions: the variables and functions it is given
}

// Compile parses an expression, with or without its "{% %}" delimiters. A syntax error is a
// definition error, reported as a plain error.
func Compile(expr string) (*Expression, error) {
	source := stripDelimiters(expr)
	if source == "" {
		return nil, errors.New("invalid JSONata expression: the expression is empty")
	}
	plain := stripComments(source)
	compiled, err := compileGuarded(plain)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONata expression '%s': %v", source, err)
	}
	if guarded := guardRecursion(plain); guarded != plain {
		// Only a rewrite that still compiles replaces the expression as written.
		if g, err := compileGuarded(guarded); err == nil {
			compiled = g
		}
	}
	path, _ := parseFieldPath(stripComments(source))
	return &Expression{source: source, compiled: *compiled, path: path, builtins: builtinsNamed(plain), names: variablesNamed(plain)}, nil
}

func compileGuarded(src string) (e *lib.Expr, err error) {
	defer recoverAsError(&err)
	return lib.Compile(src)
}

// String is the expression as AWS quotes it in causes.
func (e *Expression) String() string { return e.source }

// Evaluate runs the expression. An expression that yields nothing returns Undefined; what that
// means depends on the field, so it is not an error here (Template makes it one).
func (e *Expression) Evaluate(b Bindings) (any, error) {
	return e.evaluate(b.scope(e.builtins, e.names), "")
}

// evaluate runs the expression with a prepared scope, naming field in causes.
//
// The library binds variables by mutating its Expr, which would race between concurrent
// evaluations; a copy of a compiled Expr starts with no registry of its own (nothing is
// registered globally or at compile time), so registering the scope on the copy leaves the
// shared parse tree untouched. The built-in functions the library would write into are
// private copies in the scope, so evaluations run concurrently without a lock.
func (e *Expression) evaluate(sc *scope, field string) (any, error) {
	run := e.compiled
	result, err := evalGuarded(&run, sc.vars)
	if errors.Is(err, lib.ErrUndefined) {
		if e.path != nil && e.path.emptyArray(sc.vars) {
			return []any{}, nil
		}
		return Undefined, nil
	}
	if err != nil {
		return nil, evaluationError(e.source, field, err)
	}
	plain, err := sc.origins.fromLibrary(result)
	if errors.Is(err, errUnsupportedResult) {
		return nil, unsupportedResultError(e.source, field)
	}
	return plain, err
}

func evalGuarded(run *lib.Expr, scope map[string]any) (result any, err error) {
	defer recoverAsError(&err)
	if err := run.RegisterVars(scope); err != nil {
		return nil, err
	}
	// The input ($) is nil: Step Functions expressions reach data only through $states and
	// variables.
	return run.Eval(reflect.Value{})
}

// recoverAsError turns a panic inside the library into an error, so that no expression or
// input can bring the engine down.
func recoverAsError(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error in the JSONata evaluator: %v", r)
	}
}
