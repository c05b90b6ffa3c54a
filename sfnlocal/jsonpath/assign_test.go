package jsonpath

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
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
	}`).(*jsonvalue.Object)
	a, err := CompileAssign(assign)
	require.NoError(t, err)
	got, err := a.Eval(jsonvalue.ObjectOf("answer", "from input"), testEnv(t))
	require.NoError(t, err)
	assert.Equal(t, decode(t, `{
		"constant": "$.not.a.path", "number": 0.1, "list": [null, "$var", {"k": 0}],
		"fromInput": "from input", "fromContext": "exec-1", "fromVariable": "q", "computed": 43
	}`), got)
}

func TestAssignErrors(t *testing.T) {
	for _, bad := range []string{`{"1abc": 1}`, `{"a-b": 1}`, `{"": 1}`, `{".$": "$"}`} {
		_, err := CompileAssign(decode(t, bad).(*jsonvalue.Object))
		assert.ErrorContains(t, err, "invalid variable name", bad)
	}
	_, err := CompileAssign(jsonvalue.ObjectOf("x.$", 3.0))
	assert.ErrorContains(t, err, "must be a JSONPath")

	a, err := CompileAssign(jsonvalue.ObjectOf("x.$", "$.missing"))
	require.NoError(t, err)
	_, err = a.Eval(jsonvalue.NewObject(0), nil)
	assert.Equal(t, failure.Runtime, failure.As(err).Name)
}
