package jsonata

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

func evalSource(t *testing.T, src string, input any) (any, error) {
	t.Helper()
	e, err := Compile(src)
	require.NoError(t, err)
	return e.Evaluate(Bindings{States: map[string]any{"input": input}})
}

func TestUserFunctionsStillWork(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{`($f := function($n){$n = 0 ? 0 : 1 + $f($n-1)}; $f(500))`, 500.0},
		{`$map([1,2,3], function($v, $i){ $v * $i })`, []any{0.0, 2.0, 6.0}},
		{`$reduce([1,2,3], function($a, $b){$a + $b}, 0)`, 6.0},
		{`λ($x){$x*2}(3)`, 6.0},
		{`function($x)<n:n>{$x+1}(1)`, 2.0},
		{`$filter($states.input.xs, function($v){$contains($v, /b+/)})`, []any{"abc", "bb"}},
		{`$map($states.input.xs, function($v){ $v & " / " & "x" })`, []any{"abc / x", "bb / x", "c / x"}},
		{`($g := function($x){ function($y){ $x + $y } }; $g(1)(2))`, 3.0},
		{`$count($map([1..5000], function($v){ $v }))`, 5000.0},
		{`$sort($states.input.xs, function($l, $r){$l > $r})`, []any{"abc", "bb", "c"}},
	}
	for _, tt := range tests {
		got, err := evalSource(t, tt.src, map[string]any{"xs": []any{"abc", "bb", "c"}})
		require.NoError(t, err, tt.src)
		assert.Equal(t, tt.want, got, tt.src)
	}
}

// A runaway recursion is an evaluation error, not a crash of the process.
func TestRunawayRecursionFailsTheEvaluation(t *testing.T) {
	for _, src := range []string{
		`($f := function($n){$n = 0 ? 0 : 1 + $f($n-1)}; $f(100000000))`,
		`($loop := function(){ $loop() }; $loop())`,
		`($a := function($n){ $b($n) }; $b := function($n){ 1 + $a($n) }; $a(1))`,
	} {
		_, err := evalSource(t, src, map[string]any{})
		require.Error(t, err, src)
		assert.Equal(t, failure.QueryEvaluationError, failure.As(err).Name)
		assert.Contains(t, err.Error(), "U1001: Stack overflow error", src)
	}
}

func TestExpressionsWithoutFunctionsAreNotRewritten(t *testing.T) {
	src := `$states.input.a[0].b & 'function'`
	assert.Equal(t, src, guardRecursion(src))
	assert.True(t, strings.Contains(guardRecursion(`function($x){$x}(1)`), "$__enter()"))
}
