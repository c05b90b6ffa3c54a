package engine

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
)

func TestVariablesScopes(t *testing.T) {
	outer := newVariables(nil)
	outer.assign(jsonvalue.ObjectOf("a", 1.0, "b", "outer"))
	inner := newVariables(outer)
	inner.assign(jsonvalue.ObjectOf("b", "inner", "c", true))

	tests := []struct {
		scope *variables
		name  string
		want  any
		found bool
	}{
		{inner, "a", 1.0, true},
		{inner, "b", "inner", true},
		{inner, "c", true, true},
		{outer, "b", "outer", true},
		{outer, "c", nil, false},
		{inner, "missing", nil, false},
	}
	for _, tt := range tests {
		got, found := tt.scope.Lookup(tt.name)
		assert.Equal(t, tt.found, found, tt.name)
		assert.Equal(t, tt.want, got, tt.name)
	}
	assert.Equal(t, map[string]any{"a": 1.0, "b": "inner", "c": true}, inner.All())
	assert.Equal(t, map[string]any{"a": 1.0, "b": "outer"}, outer.All())
}
