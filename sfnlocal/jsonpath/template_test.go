package jsonpath

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTemplates(t *testing.T) {
	input := decode(t, `{"name": "Ann", "items": [{"v": 1}, {"v": 2}], "n": 3}`)
	tests := []struct {
		name, template, want string
	}{
		{"literal values stay literal", `{"a": 1, "b": "$.name", "c": null, "d": [true, "States.UUID()"]}`,
			`{"a": 1, "b": "$.name", "c": null, "d": [true, "States.UUID()"]}`},
		{"paths", `{"who.$": "$.name", "all.$": "$", "vs.$": "$.items[*].v"}`,
			`{"who": "Ann", "all": {"name": "Ann", "items": [{"v": 1}, {"v": 2}], "n": 3}, "vs": [1, 2]}`},
		{"nested objects and arrays", `{"outer": {"inner.$": "$.n", "list": [{"x.$": "$.name"}, 5]}}`,
			`{"outer": {"inner": 3, "list": [{"x": "Ann"}, 5]}}`},
		{"context object", `{"id.$": "$$.Execution.Id", "index.$": "$$.Map.Item.Index"}`, `{"id": "exec-1", "index": 2}`},
		{"variables", `{"a.$": "$answer", "b.$": "$obj.list[0]"}`, `{"a": 42, "b": "p"}`},
		{"intrinsic functions", `{"s.$": "States.Format('{} has {}', $.name, States.ArrayLength($.items))", "v.$": "States.Array($answer, $$.Execution.Id)"}`,
			`{"s": "Ann has 2", "v": [42, "exec-1"]}`},
		{"a bare scalar", `"just text"`, `"just text"`},
		{"an empty object", `{}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := CompileTemplate(decode(t, tt.template))
			require.NoError(t, err)
			got, err := tmpl.Eval(input, testEnv(t))
			require.NoError(t, err)
			assert.Equal(t, decode(t, tt.want), got)
		})
	}
}

func TestTemplateResultIsFresh(t *testing.T) {
	tmpl, err := CompileTemplate(decode(t, `{"a": {"b": [1]}}`))
	require.NoError(t, err)
	first, err := tmpl.Eval(nil, nil)
	require.NoError(t, err)
	a, _ := first.(*jsonvalue.Object).Get("a")
	b, _ := a.(*jsonvalue.Object).Get("b")
	b.([]any)[0] = "changed"
	second, err := tmpl.Eval(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, decode(t, `{"a": {"b": [1]}}`), second)
}

// TestTemplateMisses checks AWS's message for a path that selects nothing (recorded:
// "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be
// found in the input '{...}'").
func TestTemplateMisses(t *testing.T) {
	input := decode(t, `{"int-literal": 0, "html": "<&>"}`)
	tests := []struct {
		name, template, cause string
	}{
		{"input path", `{"value.$": "$.no_such_jsonpath"}`,
			`The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0,"html":"<&>"}'`},
		{"nested field", `{"a": [{"deep.$": "$$.Execution.Nope"}]}`,
			`The JSONPath '$$.Execution.Nope' specified for the field 'deep.$' could not be found in the input '{"int-literal":0,"html":"<&>"}'`},
		{"variable", `{"v.$": "$nosuchvar"}`,
			`The JSONPath '$nosuchvar' specified for the field 'v.$' could not be found in the input '{"int-literal":0,"html":"<&>"}'`},
		{"path inside an intrinsic", `{"f.$": "States.Format('{}', $.missing)"}`,
			`The JSONPath '$.missing' specified for the field 'f.$' could not be found in the input '{"int-literal":0,"html":"<&>"}'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := CompileTemplate(decode(t, tt.template))
			require.NoError(t, err)
			_, err = tmpl.Eval(input, testEnv(t))
			assert.Equal(t, &failure.Error{Name: failure.Runtime, Cause: tt.cause}, failure.As(err))
		})
	}
}

func TestTemplateIntrinsicFailure(t *testing.T) {
	tmpl, err := CompileTemplate(decode(t, `{"x.$": "States.ArrayGetItem(States.Array(1), 5)"}`))
	require.NoError(t, err)
	_, err = tmpl.Eval(nil, nil)
	assert.Equal(t, failure.IntrinsicFailure, failure.As(err).Name)
}

func TestTemplateCompileErrors(t *testing.T) {
	tests := []struct {
		name, template, want string
	}{
		{"value not a string", `{"a.$": 1}`, `invalid payload template at "/a.$": the value of "a.$" must be a JSONPath`},
		{"invalid path", `{"a": {"b.$": "$.x["}}`, `at "/a/b.$"`},
		{"invalid intrinsic", `{"a.$": "States.Nope()"}`, "unknown function"},
		{"not a path", `{"a.$": "hello"}`, `must start with "$"`},
		{"key given twice", `{"a": 1, "a.$": "$"}`, `the field "a" is given twice`},
		{"pointer escaping", `[{"x/y~.$": 3}]`, `at "/0/x~1y~0.$"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileTemplate(decode(t, tt.template))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestExpression(t *testing.T) {
	for _, text := range []string{"$.a", "States.Format('{}', $.a)"} {
		e, err := CompileExpression(text)
		require.NoError(t, err)
		assert.Equal(t, text, e.String())
		v, err := e.Eval("CausePath", jsonvalue.ObjectOf("a", "x"), nil)
		require.NoError(t, err)
		assert.Equal(t, "x", v)
		_, err = e.Eval("CausePath", jsonvalue.NewObject(0), nil)
		assert.Equal(t, "The JSONPath '$.a' specified for the field 'CausePath' could not be found in the input '{}'", failure.As(err).Cause)
	}
	_, err := CompileExpression("States.Format('{}', $.a[)")
	assert.Error(t, err)
}
