package jsonata

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestToPlain(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"int", 3, 3.0},
		{"uint8", uint8(7), 7.0},
		{"float32", float32(0.5), 0.5},
		{"minus zero", math.Copysign(0, -1), 0.0},
		{"typed slice", []string{"a", "b"}, []any{"a", "b"}},
		{"typed map", map[string]int{"a": 1}, map[string]any{"a": 1.0}},
		{"nested int", map[string]any{"a": []any{1, "x"}}, map[string]any{"a": []any{1.0, "x"}}},
		{"library null", libraryNull, nil},
		{"library null nested", []any{libraryNull}, []any{nil}},
		{"undefined", Undefined, Undefined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := toPlain(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestToPlainRejectsFunctions(t *testing.T) {
	for _, v := range []any{&goFunction{name: "f"}, []any{func() {}}, map[int]any{1: 1}} {
		_, err := toPlain(v)
		assert.ErrorIs(t, err, errUnsupportedResult)
	}
}

func TestToPlainCopiesOnlyWhatChanges(t *testing.T) {
	untouched := map[string]any{"k": "v"}
	in := map[string]any{"same": untouched, "changed": []any{1}}
	got, err := toPlain(in)
	require.NoError(t, err)
	assert.Equal(t, []any{1.0}, got.(map[string]any)["changed"])
	assert.Equal(t, []any{1}, in["changed"], "the input is not modified")
	assert.Equal(t, untouched, got.(map[string]any)["same"])
}

func TestTypeName(t *testing.T) {
	for v, want := range map[any]string{nil: "null", true: "boolean", 1.0: "number", "s": "string", Undefined: "undefined", 1: "unsupported"} {
		assert.Equal(t, want, TypeName(v))
	}
	assert.Equal(t, "array", TypeName([]any{}))
	assert.Equal(t, "object", TypeName(map[string]any{}))
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
