package jsonvalue

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
)

// appendForeign renders a value of another Go type (a map, a struct, an int) through
// encoding/json, so that callers outside the engine can hand in what they have.
func appendForeign(dst []byte, v any) []byte {
	return Append(dst, FromGo(v))
}

// FromGo turns any Go value encoding/json can marshal into a value of this package:
// maps become objects with their keys sorted (a Go map has no order to keep), structs
// keep their field order, numbers become float64. A value that cannot be marshalled
// becomes null.
func FromGo(v any) any {
	switch x := v.(type) {
	case nil, bool, float64, string:
		return v
	case *Object:
		return x
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = FromGo(item)
		}
		return out
	case map[string]any:
		o := NewObject(len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			o.Set(k, FromGo(x[k]))
		}
		return o
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return string(x)
		}
		return f
	case json.RawMessage:
		parsed, err := Parse(x)
		if err != nil {
			return nil
		}
		return parsed
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	parsed, err := Parse(data)
	if err != nil {
		return nil
	}
	return parsed
}

// ToGo turns a value of this package into what encoding/json decodes into an any:
// objects become map[string]any (losing their order).
func ToGo(v any) any {
	switch x := v.(type) {
	case *Object:
		m := make(map[string]any, x.Len())
		for _, member := range x.Members() {
			m[member.Key] = ToGo(member.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = ToGo(item)
		}
		return out
	}
	return v
}
