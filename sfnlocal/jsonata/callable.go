package jsonata

import (
	"reflect"

	"github.com/blues/jsonata-go/jtypes"
)

// goFunction exposes a Go function to expressions. It implements the library's Callable
// directly, rather than going through its reflective Extension wrapper, so that it can be bound
// per evaluation like a variable (see scope) and receives its arguments as engine values.
type goFunction struct {
	name string
	call func(args []any) (any, error)
}

// boundFunction is a goFunction bound to one evaluation, whose objects it converts.
type boundFunction struct {
	*goFunction
	origins origins
}

var _ jtypes.Callable = (*boundFunction)(nil)

func (f *goFunction) Name() string { return f.name }

// ParamCount is only used by the library for partial application and function signatures of
// user lambdas; the AWS functions validate their own arity.
func (f *goFunction) ParamCount() int { return 0 }

func (f *boundFunction) Call(argv []reflect.Value) (reflect.Value, error) {
	args := make([]any, len(argv))
	for i, v := range argv {
		p, err := f.origins.fromReflect(v)
		if err != nil {
			return reflect.Value{}, signatureError(i+1, f.name)
		}
		args[i] = p
	}
	out, err := f.call(args)
	if err != nil || IsUndefined(out) {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(f.origins.toLibrary(out)), nil
}
