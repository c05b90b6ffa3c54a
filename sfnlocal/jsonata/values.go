package jsonata

import (
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"

	"github.com/blues/jsonata-go/jtypes"
)

// errUnsupportedResult marks a value JSON cannot carry, such as a JSONata function.
var errUnsupportedResult = errors.New("unsupported result type")

// toPlain converts a value produced by the library to what encoding/json decodes: map[string]any,
// []any, string, float64, bool or nil. Values that already have that shape are returned as they
// are, without copying, so that passing a large input through ($states.input) costs no
// allocation; containers are rebuilt only where something inside them needed converting.
func toPlain(v any) (any, error) {
	out, _, err := convert(v)
	return out, err
}

// convert is toPlain that also reports whether anything changed, which tells a container
// whether it must be rebuilt.
//
// Unchanged values are returned as the interface they came in, never re-boxed, which would
// allocate for every number of a large input.
func convert(v any) (any, bool, error) {
	switch x := v.(type) {
	case nil, string, bool, undefinedValue:
		return v, false, nil
	case float64:
		if x == 0 && math.Signbit(x) {
			return 0.0, true, nil // -0 would print as "-0"; AWS outputs 0
		}
		return v, false, nil
	case map[string]any:
		return convertMap(x)
	case []any:
		return convertSlice(x)
	}
	out, err := plainReflect(reflect.ValueOf(v))
	return out, true, err
}

func convertMap(m map[string]any) (any, bool, error) {
	var out map[string]any
	for k, item := range m {
		p, changed, err := convert(item)
		if err != nil {
			return nil, false, err
		}
		if changed && out == nil {
			out = maps.Clone(m)
		}
		if out != nil {
			out[k] = p
		}
	}
	if out == nil {
		return m, false, nil
	}
	return out, true, nil
}

func convertSlice(s []any) (any, bool, error) {
	var out []any
	for i, item := range s {
		p, changed, err := convert(item)
		if err != nil {
			return nil, false, err
		}
		if changed && out == nil {
			out = slices.Clone(s)
		}
		if out != nil {
			out[i] = p
		}
	}
	if out == nil {
		return s, false, nil
	}
	return out, true, nil
}

// plainReflect handles the library's other representations: ints from $length or $count,
// typed slices such as []string from $split, nested reflect values, pointers.
func plainReflect(v reflect.Value) (any, error) {
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
		return plainReflect(v.Interface().(reflect.Value))
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
		return toPlain(v.Float())
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			p, err := plainReflect(v.Index(i))
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
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			p, err := plainReflect(it.Value())
			if err != nil {
				return nil, err
			}
			if !IsUndefined(p) {
				out[it.Key().String()] = p
			}
		}
		return out, nil
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128, reflect.Struct:
		return nil, errUnsupportedResult
	}
	return nil, errUnsupportedResult
}

// TypeName names a plain value's JSON type as AWS does in its causes ("Expected 'array', but
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
	case map[string]any:
		return "object"
	case undefinedValue:
		return "undefined"
	}
	return "unsupported"
}
