package jsonata

import (
	"errors"
	"math"
	"reflect"
	"slices"

	"github.com/blues/jsonata-go/jtypes"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// The library works on what encoding/json decodes (map[string]any, []any, float64...)
// through reflection; the engine's values are jsonvalue's, whose objects keep their
// order. Values are converted on the way in and out of every evaluation. An object
// that passes through an expression unchanged ($states.input, $states.input.fare)
// comes out as the very object that went in, order kept; an object the expression
// builds is a Go map inside the library, so its keys come out sorted.

// libraryNull is how the library represents JSON null: a typed nil pointer, the type of its
// own null literal. A plain nil inside a map or slice would reach the library as an invalid
// reflect.Value, which it takes for undefined: {"b": null} would then make $states.input.b
// undefined instead of null.
var libraryNull = (*any)(nil)

// origins remembers, for one evaluation, which engine object each library map was
// made from, so that an object passed through comes back with its order.
type origins map[uintptr]*jsonvalue.Object

// toLibrary converts an engine value for the library, nulls included.
func (o origins) toLibrary(v any) any {
	switch x := v.(type) {
	case nil:
		return libraryNull
	case *jsonvalue.Object:
		m := make(map[string]any, x.Len())
		for _, member := range x.Members() {
			m[member.Key] = o.toLibrary(member.Value)
		}
		if o != nil {
			o[reflect.ValueOf(m).Pointer()] = x
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = o.toLibrary(item)
		}
		return out
	}
	return v
}

// errUnsupportedResult marks a value JSON cannot carry, such as a JSONata function.
var errUnsupportedResult = errors.New("unsupported result type")

// fromLibrary converts a value the library produced into an engine value.
func (o origins) fromLibrary(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool, undefinedValue:
		return v, nil
	case float64:
		if x == 0 && math.Signbit(x) {
			return 0.0, nil // -0 would print as "-0"; AWS outputs 0
		}
		return v, nil
	case map[string]any:
		return o.fromMap(reflect.ValueOf(x))
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			p, err := o.fromLibrary(item)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	return o.fromReflect(reflect.ValueOf(v))
}

func (o origins) fromMap(m reflect.Value) (any, error) {
	if original, ok := o[m.Pointer()]; ok {
		return original, nil
	}
	keys := make([]string, 0, m.Len())
	for _, k := range m.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	out := jsonvalue.NewObject(len(keys))
	for _, k := range keys {
		p, err := o.fromReflect(m.MapIndex(reflect.ValueOf(k)))
		if err != nil {
			return nil, err
		}
		if !IsUndefined(p) {
			out.Set(k, p)
		}
	}
	return out, nil
}

// fromReflect handles the library's other representations: ints from $length or $count,
// typed slices such as []string from $split, nested reflect values, pointers.
func (o origins) fromReflect(v reflect.Value) (any, error) {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) {
		if v.IsNil() {
			return nil, nil
		}
		if jtypes.IsCallable(v) {
			return nil, errUnsupportedResult
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return Undefined, nil
	}
	if v.Type() == reflect.TypeFor[reflect.Value]() {
		return o.fromReflect(v.Interface().(reflect.Value))
	}
	if jtypes.IsCallable(v) {
		return nil, errUnsupportedResult
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.String:
		return v.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return o.fromLibrary(v.Float())
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			p, err := o.fromReflect(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, errUnsupportedResult
		}
		return o.fromMap(v)
	}
	return nil, errUnsupportedResult
}

// TypeName names a value's JSON type as AWS does in its causes ("Expected 'array', but
// was 'object'").
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case *jsonvalue.Object:
		return "object"
	case undefinedValue:
		return "undefined"
	}
	return "unsupported"
}

// copyOf is a copy of a library function value, for one evaluation (see builtins).
func copyOf(fn reflect.Value) any {
	c := reflect.New(fn.Elem().Type())
	c.Elem().Set(fn.Elem())
	return c.Interface()
}
