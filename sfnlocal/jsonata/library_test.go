package jsonata

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

func TestFromLibrary(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"int", 3, `3`},
		{"uint8", uint8(7), `7`},
		{"float32", float32(0.5), `0.5`},
		{"minus zero", math.Copysign(0, -1), `0`},
		{"typed slice", []string{"a", "b"}, `["a","b"]`},
		{"typed map, keys sorted", map[string]int{"b": 1, "a": 2}, `{"a":2,"b":1}`},
		{"nested int", map[string]any{"a": []any{1, "x"}}, `{"a":[1,"x"]}`},
		{"library null", libraryNull, `null`},
		{"library null nested", []any{libraryNull}, `[null]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := origins(nil).fromLibrary(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, jsonvalue.Text(got))
		})
	}
	got, err := origins(nil).fromLibrary(Undefined)
	require.NoError(t, err)
	assert.True(t, IsUndefined(got))
}

func TestFromLibraryRejectsFunctions(t *testing.T) {
	for _, v := range []any{&boundFunction{goFunction: &goFunction{name: "f"}}, []any{func() {}}, map[int]any{1: 1}} {
		_, err := origins(nil).fromLibrary(v)
		assert.ErrorIs(t, err, errUnsupportedResult)
	}
}

func TestAnObjectPassedThroughKeepsItsOrder(t *testing.T) {
	input, err := jsonvalue.ParseString(`{"zeta":1,"alpha":{"y":1,"b":2},"mid":[{"q":1,"p":2}]}`)
	require.NoError(t, err)
	for expr, want := range map[string]string{
		"{% $states.input %}":                      `{"zeta":1,"alpha":{"y":1,"b":2},"mid":[{"q":1,"p":2}]}`,
		"{% $states.input.alpha %}":                `{"y":1,"b":2}`,
		"{% $states.input.mid %}":                  `[{"q":1,"p":2}]`,
		"{% $partition($states.input.mid, 1) %}":   `[[{"q":1,"p":2}]]`,
		"{% {'z': 1, 'a': $states.input.alpha} %}": `{"a":{"y":1,"b":2},"z":1}`, // built by the expression: sorted
	} {
		tpl, err := CompileTemplate(expr)
		require.NoError(t, err)
		got, err := tpl.Evaluate(Bindings{States: map[string]any{"input": input}})
		require.NoError(t, err)
		assert.Equal(t, want, jsonvalue.Text(got), expr)
	}
	tpl, err := CompileTemplate(jsonvalue.ObjectOf("zeta", "{% 1 %}", "alpha", 2.0))
	require.NoError(t, err)
	got, err := tpl.Evaluate(Bindings{})
	require.NoError(t, err)
	assert.Equal(t, `{"zeta":1,"alpha":2}`, jsonvalue.Text(got), "a template object keeps the template's order")
}

func TestTypeName(t *testing.T) {
	for v, want := range map[any]string{nil: "null", true: "boolean", 1.0: "number", "s": "string", Undefined: "undefined", 1: "unsupported"} {
		assert.Equal(t, want, TypeName(v))
	}
	assert.Equal(t, "array", TypeName([]any{}))
	assert.Equal(t, "object", TypeName(jsonvalue.NewObject(0)))
}

func TestStripComments(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$x /* c */ + 1", "$x   + 1"},
		{"'/* kept */'", "'/* kept */'"},
		{`"a\"/*" & /**/ 'b'`, `"a\"/*" &   'b'`},
		{"`/*name*/`", "`/*name*/`"},
		{"1 /* open", "1 /* open"},
		{"no comment", "no comment"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, stripComments(tt.in), tt.in)
	}
}
