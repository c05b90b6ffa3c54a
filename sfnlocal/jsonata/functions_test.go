package jsonata

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

func TestAWSFunctions(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"partition even", "{% $partition([1,2,3,4], 2) %}", `[[1,2],[3,4]]`},
		{"partition remainder", "{% $partition([1,2,3,4,5,6,7,8,9], 4) %}", `[[1,2,3,4],[5,6,7,8],[9]]`},
		{"partition one chunk stays nested", "{% $partition([0], 5) %}", `[[0]]`},
		{"partition empty", "{% $partition([], 2) %}", `[]`},
		{"partition undefined", "{% $partition($nope, 2) %}", `undefined`},
		{"range", "{% $range(0, 10, 2) %}", `[0,2,4,6,8,10]`},
		{"range end not reached", "{% $range(0, 10, 3) %}", `[0,3,6,9]`},
		{"range descending", "{% $range(9, 1, -2) %}", `[9,7,5,3,1]`},
		{"range truncates", "{% $range(-1.2, 2.8, 1.9) %}", `[-1,0,1,2]`},
		{"range singleton unwrapped", "{% $range(1, 9, 9) %}", `1`},
		{"range empty", "{% $range(3, 1, 1) %}", `undefined`},
		{"range step zero", "{% $range(0, 4, 0) %}", `undefined`},
		{"range in array", "{% $append([], $range(7, 7, 1)) %}", `[7]`},
		{"hash MD5", "{% $hash('input data', 'MD5') %}", `"812f45842bc6d66ee14572ce20db8e86"`},
		{"hash SHA-1", "{% $hash('input data', 'SHA-1') %}", `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{"hash SHA-256", "{% $hash('input data', 'SHA-256') %}", `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{"hash SHA-384 length", "{% $length($hash('x', 'SHA-384')) %}", `96`},
		{"hash SHA-512 length", "{% $length($hash('x', 'SHA-512')) %}", `128`},
		{"parse object", `{% $parse('{"Arg1": 1, "Arg2": []}') %}`, `{"Arg1": 1, "Arg2": []}`},
		{"parse minus zero", "{% $parse('-0') %}", `0`},
		{"parse null", "{% $parse('null') %}", `null`},
		{"parse nested null", "{% $parse('[1, null]') %}", `[1, null]`},
		{"parse then navigate", `{% $parse('{"a": {"b": 2}}').a.b %}`, `2`},
		{"random seeded is stable", "{% $random(42) = $random(42) %}", `true`},
		{"random seeded in range", "{% $random(7) >= 0 and $random(7) < 1 %}", `true`},
		{"variable shadows function", "{% $uuid %}", `"mine"`},
		{"shadowed function is still a function elsewhere", "{% $type($partition) %}", `"function"`},
	}
	vars := map[string]any{"uuid": "mine"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := evaluate(t, tt.expr, `{}`, vars)
			require.NoError(t, err)
			assert.Equal(t, wantJSON(t, tt.want), got)
		})
	}
}

func TestAWSFunctionErrors(t *testing.T) {
	for _, expr := range []string{
		"{% $partition([1], 0) %}",
		"{% $partition([1]) %}",
		"{% $range('0', 4, 1) %}",
		"{% $range(0, 4, 1, 2) %}",
		"{% $range(0, 100000000, 1) %}",
		"{% $hash('x', 'SHA-999') %}",
		"{% $hash(1, 'MD5') %}",
		"{% $parse('{') %}",
		"{% $parse(1) %}",
		"{% $uuid(1) %}",
		"{% $random('seed') %}",
		"{% $eval('1') %}", // not offered by Step Functions
	} {
		t.Run(expr, func(t *testing.T) {
			_, err := evaluate(t, expr, `{}`, nil)
			var f *failure.Error
			require.ErrorAs(t, err, &f)
			assert.Equal(t, failure.QueryEvaluationError, f.Name)
		})
	}
}

func TestInjectedSources(t *testing.T) {
	e, err := Compile("{% [$random(), $uuid()] %}")
	require.NoError(t, err)
	got, err := e.Evaluate(Bindings{Sources: Sources{
		Random: func() float64 { return 0.25 },
		UUID:   func() string { return "00000000-0000-4000-8000-000000000000" },
	}})
	require.NoError(t, err)
	assert.Equal(t, []any{0.25, "00000000-0000-4000-8000-000000000000"}, got)
}

func TestDefaultUUIDIsVersion4(t *testing.T) {
	e, err := Compile("{% $uuid() %}")
	require.NoError(t, err)
	a, err := e.Evaluate(Bindings{})
	require.NoError(t, err)
	b, err := e.Evaluate(Bindings{})
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}
