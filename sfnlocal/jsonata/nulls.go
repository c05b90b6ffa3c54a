package jsonata

import (
	"maps"
	"slices"
)

// libraryNull is how the library represents JSON null: a typed nil pointer, the type of its
// own null literal. A plain nil inside a map or slice would reach the library as an invalid
// reflect.Value, which it takes for undefined: {"b": null} would then make $states.input.b
// undefined instead of null.
var libraryNull = (*any)(nil)

// withLibraryNulls returns v with every JSON null replaced by libraryNull. Like toPlain it
// copies only the containers on the way to a null, so a typical input without nulls is
// walked but not copied.
func withLibraryNulls(v any) any {
	out, _ := replaceNulls(v)
	return out
}

func replaceNulls(v any) (any, bool) {
	switch v := v.(type) {
	case nil:
		return libraryNull, true
	case map[string]any:
		var out map[string]any
		for k, item := range v {
			p, changed := replaceNulls(item)
			if changed && out == nil {
				out = maps.Clone(v)
			}
			if out != nil {
				out[k] = p
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	case []any:
		var out []any
		for i, item := range v {
			p, changed := replaceNulls(item)
			if changed && out == nil {
				out = slices.Clone(v)
			}
			if out != nil {
				out[i] = p
			}
		}
		if out == nil {
			return v, false
		}
		return out, true
	}
	return v, false
}
