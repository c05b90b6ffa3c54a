package jsonata

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

func TestTemplateEvaluate(t *testing.T) {
	const input = `{"x": 1, "items": [1, 2, 3], "name": "ann"}`
	tests := []struct {
		name, template, want string
	}{
		{"scalar expression", `"{% $states.input.x %}"`, `1`},
		{"plain string", `"$.x"`, `"$.x"`},
		{"not at the ends is a plain string", `" {% $states.input.x %}"`, `" {% $states.input.x %}"`},
		{"constants", `[null, 0, 0.1, true, "s", [], {}]`, `[null, 0, 0.1, true, "s", [], {}]`},
		{"object", `{"a": "{% $states.input.x %}", "b": "lit", "c": 3}`, `{"a": 1, "b": "lit", "c": 3}`},
		{"nested", `{"p": {"q": ["{% $states.input.name %}", {"r": "{% $count($states.input.items) %}"}]}}`, `{"p": {"q": ["ann", {"r": 3}]}}`},
		{"array items", `[1, "{% $number('2') %}", 3]`, `[1, 2, 3]`},
		{"expression yielding null", `{"n": "{% null %}"}`, `{"n": null}`},
		{"expression yielding an object", `{"o": "{% $states.input %}"}`, `{"o": ` + input + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := CompileTemplate(decode(t, tt.template), InField("Output"))
			require.NoError(t, err)
			got, err := tpl.Evaluate(Bindings{States: map[string]any{"input": decode(t, input)}})
			require.NoError(t, err)
			assert.Equal(t, decode(t, tt.want), got)
		})
	}
}

// AWS fails the state when an expression anywhere in a field yields nothing, naming the field
// path (recorded: assign/022-024, states_variables/004).
func TestTemplateUndefinedFails(t *testing.T) {
	tests := []struct {
		field, template, cause string
	}{
		{"Arguments", `"{% $doesNotExist %}"`, "The JSONata expression '$doesNotExist' specified for the field 'Arguments' returned nothing (undefined)."},
		{"Assign", `{"result": "{% $doesNotExist %}"}`, "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined)."},
		{"Output", `{"error": "{%   $stateError   %}"}`, "The JSONata expression '$stateError' specified for the field 'Output/error' returned nothing (undefined)."},
		{"Items", `[1, {"k": "{% $states.input.nope %}"}]`, "The JSONata expression '$states.input.nope' specified for the field 'Items/1/k' returned nothing (undefined)."},
		{"Items", `"{% $fn := function($x){$x} %}"`, "The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type."},
	}
	for _, tt := range tests {
		t.Run(tt.cause, func(t *testing.T) {
			tpl, err := CompileTemplate(decode(t, tt.template), InField(tt.field))
			require.NoError(t, err)
			_, err = tpl.Evaluate(Bindings{States: map[string]any{"input": map[string]any{}}})
			assert.Equal(t, &failure.Error{Name: failure.QueryEvaluationError, Cause: tt.cause}, failure.As(err))
		})
	}
}

func TestTemplateWithoutFieldName(t *testing.T) {
	tpl, err := CompileTemplate(jsonvalue.ObjectOf("a", "{% $nope %}"))
	require.NoError(t, err)
	_, err = tpl.Evaluate(Bindings{})
	assert.EqualError(t, err, "States.QueryEvaluationError: The JSONata expression '$nope' specified for the field 'a' returned nothing (undefined).")
}

func TestCompileTemplateErrors(t *testing.T) {
	tests := []struct {
		name     string
		template any
		message  string
	}{
		{"bad expression", jsonvalue.ObjectOf("b", "{% 1 + %}", "a", "ok"), "field 'Output/b': invalid JSONata expression '1 +'"},
		{"first of several in document order", jsonvalue.ObjectOf("z", "{% ( %}", "y", "{% [ %}"), "field 'Output/z'"},
		{"non-JSON value", jsonvalue.ObjectOf("a", 1), "not int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileTemplate(tt.template, InField("Output"))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
		})
	}
}

func TestTemplateSharesConstants(t *testing.T) {
	value := jsonvalue.ObjectOf("a", []any{"x"})
	tpl, err := CompileTemplate(value)
	require.NoError(t, err)
	got, err := tpl.Evaluate(Bindings{})
	require.NoError(t, err)
	assert.Same(t, value, got, "a constant template is returned, not copied")
}

func TestTemplatePassesInputThroughWithoutCopy(t *testing.T) {
	input := jsonvalue.ObjectOf("big", []any{1.0, 2.0})
	tpl, err := CompileTemplate("{% $states.input %}")
	require.NoError(t, err)
	got, err := tpl.Evaluate(Bindings{States: map[string]any{"input": input}})
	require.NoError(t, err)
	assert.Same(t, input, got, "the very object that went in comes out")
}
