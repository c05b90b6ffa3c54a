package intrinsic

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseArguments(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "no arguments", expr: "States.Array()", want: []any{}},
		{name: "literals", expr: "States.Array('a', 1, -2.5, 1e2, true, false, null)", want: []any{"a", 1.0, -2.5, 100.0, true, false, nil}},
		{name: "white space everywhere", expr: " States.Array ( 'a' ,\t1 ) ", want: []any{"a", 1.0}},
		{name: "escapes in strings", expr: `States.Array('it\'s', 'back\\slash', 'br\{ace\}', 'keep\n')`, want: []any{"it's", `back\slash`, "br{ace}", `keep\n`}},
		{name: "commas and parentheses inside strings", expr: "States.Array('a, b', ')(')", want: []any{"a, b", ")("}},
		{name: "input path", expr: "States.Array($.a)", input: map[string]any{"a": 1.0}, want: []any{1.0}},
		{name: "context path", expr: "States.Array($$.Execution)", want: []any{"exec-1"}},
		{name: "variable", expr: "States.Array($greeting, $list)", want: []any{"hello", []any{1.0, 2.0}}},
		{name: "nested calls", expr: "States.Array(States.Array(States.MathAdd(1, 2)))", want: []any{[]any{3.0}}},
	})
}

func TestParsePathNotFound(t *testing.T) {
	call, err := Parse("States.Format('{}', $.missing)", compileField)
	require.NoError(t, err)
	_, err = call.Eval(jsonvalue.NewObject(0), nil)
	var notFound *PathNotFoundError
	require.ErrorAs(t, err, &notFound)
	assert.Equal(t, "$.missing", notFound.Path)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr, want string
	}{
		{"", "expected a function name"},
		{"Format('x')", "expected a function name"},
		{"States.Nope()", `unknown function "States.Nope"`},
		{"States.Array", `expected "(" after States.Array`},
		{"States.Array(", "missing argument"},
		{"States.Array('a'", `missing ")"`},
		{"States.Array('a' 'b')", `expected "," or ")"`},
		{"States.Array('a)", "unterminated string literal"},
		{"States.Array(1.2.3)", "invalid number"},
		{"States.Array(nope)", "unexpected 'n'"},
		{"States.Array(truex)", "unexpected 't'"},
		{"States.Array() x", "after the call"},
		{"States.UUID(1)", "States.UUID takes 0 arguments, got 1"},
		{"States.MathAdd(1)", "States.MathAdd takes 2 arguments, got 1"},
		{"States.MathRandom(1, 2, 3, 4)", "States.MathRandom takes 2 to 3 arguments, got 4"},
		{"States.Format()", "States.Format takes at least 1 argument, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := Parse(tt.expr, compileField)
			var syntax *SyntaxError
			require.ErrorAs(t, err, &syntax)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseWithoutPathCompiler(t *testing.T) {
	_, err := Parse("States.Array($.a)", nil)
	assert.ErrorContains(t, err, "cannot be used here")
}

func TestParseNestingLimit(t *testing.T) {
	expr := ""
	for range maxDepth + 1 {
		expr += "States.Array("
	}
	for range maxDepth + 1 {
		expr += ")"
	}
	_, err := Parse(expr, nil)
	assert.ErrorContains(t, err, "nested more than")
}

func TestIsCall(t *testing.T) {
	assert.True(t, IsCall("States.Format('x')"))
	assert.True(t, IsCall("  States.UUID()"))
	assert.False(t, IsCall("$.States"))
}

func TestCallAccessors(t *testing.T) {
	call, err := Parse(" States.UUID() ", nil)
	require.NoError(t, err)
	assert.Equal(t, "States.UUID()", call.String())
	assert.Equal(t, "States.UUID", call.Name())
}
