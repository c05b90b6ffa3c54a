package jsonata

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

func TestIsExpression(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"{% $x %}", true},
		{"{%$x%}", true},
		{"{%%}", true},
		{" {% $x %}", false},
		{"{% $x %} ", false},
		{"{% $x", false},
		{"$.x", false},
		{"{%}", false},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsExpression(tt.s), tt.s)
	}
}

func TestEvaluate(t *testing.T) {
	const input = `{"x": 1, "s": "Hello", "items": [1, 2, 3], "one": [{"c": 5}], "obj": {"a": {"b": null}}}`
	vars := map[string]any{"answer": 42.0, "name": "ann", "list": []any{"a"}, "nothing": nil}
	tests := []struct {
		name, expr, want string
	}{
		{"input field", "{% $states.input.x %}", `1`},
		{"whole input", "{% $states.input %}", input},
		{"arithmetic", "{% $states.input.x + 41 %}", `42`},
		{"sum and variable", "{% $sum($states.input.items) + $answer %}", `48`},
		{"variable", "{% $name %}", `"ann"`},
		{"array variable", "{% $list %}", `["a"]`},
		{"null is a value", "{% $states.input.obj.a.b %}", `null`},
		{"missing field", "{% $states.input.nope %}", `undefined`},
		{"missing variable", "{% $nope %}", `undefined`},
		{"singleton array kept", "{% $states.input.one %}", `[{"c": 5}]`},
		{"singleton sequence unwrapped", "{% $states.input.one.c %}", `5`},
		{"object constructor", "{% {'a': $states.input.x, 'b': $states.input.nope} %}", `{"a": 1}`},
		{"ints become float64", "{% [$length($states.input.s), $count($states.input.items)] %}", `[5, 3]`},
		{"typed slices become []any", "{% $split('a,b', ',') %}", `["a", "b"]`},
		{"double-quoted string literal", `{% "it's" %}`, `"it's"`},
		{"null inside input", "{% $states.input.obj %}", `{"a": {"b": null}}`},
		{"null compares equal to null", "{% $states.input.obj.a.b = null %}", `true`},
		{"null exists", "{% $exists($states.input.obj.a.b) %}", `true`},
		{"null variable", "{% $nothing %}", `null`},
		{"comment", "{% /* the answer */ $answer %}", `42`},
		{"comment text inside a string stays", "{% '/* x */' %}", `"/* x */"`},
		{"regex", `{% $contains("hello$world", /^hello\$/) %}`, `true`},
		{"block with local variable", "{% ($v := 2; $v * $answer) %}", `84`},
		{"condition", "{% $states.input.x >= 1 and $states.input.s = 'Hello' %}", `true`},
		{"delimiters optional", "$states.input.x", `1`},
		{"top-level $ is undefined", "{% $ %}", `undefined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evaluate(t, tt.expr, input, vars)
			require.NoError(t, err)
			assert.Equal(t, wantJSON(t, tt.want), got)
		})
	}
}

func TestEvaluateStatesKeys(t *testing.T) {
	e, err := Compile("{% [$states.input, $states.result, $states.errorOutput, $states.context.State.Name] %}")
	require.NoError(t, err)
	got, err := e.Evaluate(Bindings{States: map[string]any{
		"input":       "in",
		"result":      "res",
		"errorOutput": map[string]any{"Error": "E"},
		"context":     map[string]any{"State": map[string]any{"Name": "S"}},
	}})
	require.NoError(t, err)
	assert.Equal(t, []any{"in", "res", map[string]any{"Error": "E"}, "S"}, jsonvalue.ToGo(got))

	got, err = e.Evaluate(Bindings{States: map[string]any{"input": "in"}})
	require.NoError(t, err)
	assert.Equal(t, []any{"in"}, got, "absent keys are undefined and drop out of the array")
}

func TestStatesShadowsVariable(t *testing.T) {
	e, err := Compile("{% $states.input %}")
	require.NoError(t, err)
	got, err := e.Evaluate(Bindings{
		States:    map[string]any{"input": "real"},
		Variables: map[string]any{"states": map[string]any{"input": "fake"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "real", got)
}

func TestCompileErrors(t *testing.T) {
	for _, expr := range []string{"{%%}", "{%   %}", "{% $x + %}", "{% [1, 2 %}", "{% /* open %}", "{% 'unterminated %}"} {
		t.Run(expr, func(t *testing.T) {
			_, err := Compile(expr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "invalid JSONata expression")
			var f *failure.Error
			assert.NotErrorAs(t, err, &f, "a compile error is a definition error, not a failure")
		})
	}
}

func TestEvaluationErrorsAreQueryEvaluationErrors(t *testing.T) {
	tests := []struct{ expr, cause string }{
		{"{% 1 + 'a' %}", `The JSONata expression '1 + 'a'' threw an error during evaluation. `},
		{"{% $nofunction(1) %}", `The JSONata expression '$nofunction(1)' threw an error during evaluation. `},
		{"{% $number('abc') %}", `The JSONata expression '$number('abc')' threw an error during evaluation. `},
		{"{% $range('0', 4, 1) %}", `The JSONata expression '$range('0', 4, 1)' threw an error during evaluation. T0410: Argument 1 of function "range" does not match function signature`},
		{"{% function($x){$x} %}", `The JSONata expression 'function($x){$x}' returned an unsupported result type.`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := evaluate(t, tt.expr, `{}`, nil)
			var f *failure.Error
			require.ErrorAs(t, err, &f)
			assert.Equal(t, failure.QueryEvaluationError, f.Name)
			assert.Contains(t, f.Cause, tt.cause)
		})
	}
}

func TestConcurrentEvaluations(t *testing.T) {
	e, err := Compile("{% $states.input.n * $k %}")
	require.NoError(t, err)
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				n := float64(g*1000 + i)
				got, err := e.Evaluate(Bindings{States: map[string]any{"input": map[string]any{"n": n}}, Variables: map[string]any{"k": 2.0}})
				if !assert.NoError(t, err) || !assert.Equal(t, 2*n, got) {
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func TestAPathEndingOnAnEmptyArrayReturnsIt(t *testing.T) {
	// Recorded on AWS (scenarios_map, test_map_state_items_input_array/empty): JSONata 2.x
	// returns [] where the 1.x port we run on says undefined.
	b := Bindings{States: map[string]any{"input": map[string]any{"items": []any{}, "n": map[string]any{}}},
		Variables: map[string]any{"x": map[string]any{"a": []any{}}}}
	tests := []struct {
		expr string
		want any
	}{
		{"$states.input.items", []any{}},
		{"$x.a", []any{}},
		{"$states.input.missing", Undefined},
		{"$states.input.n.items", Undefined},
		{"$states.input.items[0]", Undefined},
	}
	for _, tt := range tests {
		e, err := Compile(tt.expr)
		require.NoError(t, err)
		got, err := e.Evaluate(b)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.expr)
	}
}

// TestConcurrentEvaluationsWithoutALock evaluates, from many goroutines at once, a built-in
// called without arguments, which reads the context the library writes into the function
// it calls: each evaluation must see its own data (and go test -race must stay quiet).
func TestConcurrentEvaluationsWithoutALock(t *testing.T) {
	tpl, err := CompileTemplate("{% $join($states.input.items.$string(), ',') %}")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := float64(g*1000 + i)
				got, err := tpl.Evaluate(Bindings{States: map[string]any{"input": jsonvalue.ObjectOf("items", []any{n, n + 1})}})
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, fmt.Sprintf("%d,%d", int(n), int(n)+1), got)
			}
		}()
	}
	wg.Wait()
}
