package jsonpath

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssign(t *testing.T) {
	assign := decode(t, `{
		"constant": "$.not.a.path",
		"number": 0.1,
		"list": [null, "$var", {"k": 0}],
		"fromInput.$": "$.answer",
		"fromContext.$": "$$.Execution.Id",
		"fromVariable.$": "$obj.list[1]",
		"computed.$": "States.MathAdd($answer, 1)"
	}`).(map[string]any)
	a, err := CompileAssign(assign)
	require.NoError(t, err)
	got, err := a.Eval(map[string]any{"answer": "from input"}, testEnv(t))
	require.NoError(t, err)
	assert.Equal(t, decode(t, `{
		"constant": "$.not.a.path", "number": 0.1, "list": [null, "$var", {"k": 0}],
		"fromInput": "from input", "fromContext": "exec-1", "fromVariable": "q", "computed": 43
	}`), got)
}

func TestAssignErrors(t *testing.T) {
	for _, bad := range []string{`{"1abc": 1}`, `{"a-b": 1}`, `{"": 1}`, `{".$": "$"}`} {
		_, err := CompileAssign(decode(t, bad).(map[string]any))
		assert.ErrorContains(t, err, "invalid variable name", bad)
	}
	_, err := CompileAssign(map[string]any{"x.$": 3.0})
	assert.ErrorContains(t, err, "must be a JSONPath")

	a, err := CompileAssign(map[string]any{"x.$": "$.missing"})
	require.NoError(t, err)
	_, err = a.Eval(map[string]any{}, nil)
	assert.Equal(t, failure.Runtime, failure.As(err).Name)
}
