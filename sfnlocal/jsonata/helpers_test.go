package jsonata

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/require"
)

// decode turns JSON text into an engine value, for readable tables.
func decode(t testing.TB, text string) any {
	t.Helper()
	v, err := jsonvalue.ParseString(text)
	require.NoError(t, err, text)
	return v
}

// evaluate compiles and evaluates expr with $states.input bound to input (JSON text).
func evaluate(t testing.TB, expr, input string, vars map[string]any) (any, error) {
	t.Helper()
	e, err := Compile(expr)
	require.NoError(t, err, expr)
	return e.Evaluate(Bindings{States: map[string]any{"input": decode(t, input)}, Variables: vars})
}

// wantJSON states an expected value as JSON text; "undefined" means Undefined.
func wantJSON(t testing.TB, want string) any {
	t.Helper()
	if want == "undefined" {
		return Undefined
	}
	return decode(t, want)
}
