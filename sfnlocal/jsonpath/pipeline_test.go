package jsonpath

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInputAndOutputPath(t *testing.T) {
	input := decode(t, `{"a": {"b": 1}}`)
	tests := []struct {
		name string
		path *Path
		want any
	}{
		{"absent field is $", Root, input},
		{"null field is {}", nil, jsonvalue.NewObject(0)},
		{"a path", MustCompile("$.a"), decode(t, `{"b": 1}`)},
		{"the context object", MustCompile("$$.Execution.Input"), decode(t, `{"k": 1}`)},
		{"a variable", MustCompile("$answer"), 42.0},
		{"a query", MustCompile("$.*.b"), []any{1.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for step, apply := range map[string]func(*Path, any, *Env) (any, error){"InputPath": ApplyInputPath, "OutputPath": ApplyOutputPath} {
				got, err := apply(tt.path, input, testEnv(t))
				require.NoError(t, err, step)
				assert.Equal(t, tt.want, got, step)
			}
		})
	}
	_, err := ApplyInputPath(MustCompile("$.x"), input, nil)
	assert.Equal(t, &failure.Error{Name: failure.Runtime, Cause: "Invalid path '$.x' : No results for path: $['x']"}, failure.As(err))
}

func TestResultPath(t *testing.T) {
	tests := []struct {
		name, input, path, want string
	}{
		{"replace with $", `{"a": 1}`, "$", `"result"`},
		{"add a field", `{"a": 1}`, "$.r", `{"a": 1, "r": "result"}`},
		{"overwrite a field", `{"r": 1}`, "$.r", `{"r": "result"}`},
		{"create objects on the way", `{"a": 1}`, "$.x.y.z", `{"a": 1, "x": {"y": {"z": "result"}}}`},
		{"inside an existing object", `{"x": {"keep": true}}`, "$.x.y", `{"x": {"keep": true, "y": "result"}}`},
		{"bracket names", `{}`, "$['a b']['c']", `{"a b": {"c": "result"}}`},
		{"into an array element", `{"l": [{"k": 1}, 2]}`, "$.l[0].m", `{"l": [{"k": 1, "m": "result"}, 2]}`},
		{"replace an array element from the end", `{"l": [1, 2]}`, "$.l[-1]", `{"l": [1, "result"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := decode(t, tt.input)
			before := decode(t, tt.input)
			got, err := ApplyResultPath(MustCompile(tt.path), input, "result")
			require.NoError(t, err)
			assert.Equal(t, jsonvalue.Text(decode(t, tt.want)), jsonvalue.Text(got))
			assert.Equal(t, jsonvalue.Text(before), jsonvalue.Text(input), "the input must not change")
		})
	}
}

func TestResultPathNullKeepsInput(t *testing.T) {
	input := decode(t, `{"a": 1}`)
	got, err := ApplyResultPath(nil, input, "ignored")
	require.NoError(t, err)
	assert.Equal(t, input, got)
}

func TestResultPathFailures(t *testing.T) {
	tests := []struct {
		name, input, path, cause string
	}{
		{"input is a string", `"{\"min\":1}"`, "$.partitioned", `Unable to apply ReferencePath $.partitioned to input "{\"min\":1}"`},
		{"field holds a number", `{"a": 1}`, "$.a.b", `Unable to apply ReferencePath $.a.b to input {"a":1}`},
		{"field holds null", `{"a": null}`, "$.a.b", `Unable to apply ReferencePath $.a.b to input {"a":null}`},
		{"input is null", `null`, "$.a", `Unable to apply ReferencePath $.a to input null`},
		{"index past the end", `{"l": []}`, "$.l[0]", `Unable to apply ReferencePath $.l[0] to input {"l":[]}`},
		{"index into an object", `{"l": {}}`, "$.l[0]", `Unable to apply ReferencePath $.l[0] to input {"l":{}}`},
		{"not a reference path", `{}`, "$.a[*]", `ResultPath $.a[*] is not a reference path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ApplyResultPath(MustCompile(tt.path), decode(t, tt.input), "r")
			assert.Equal(t, &failure.Error{Name: failure.ResultPathMatchFailure, Cause: tt.cause}, failure.As(err))
		})
	}
}
