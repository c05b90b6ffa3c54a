package jsonata

import "testing"

// FuzzCompile feeds arbitrary text to Compile and evaluates whatever compiles: neither may
// panic (the adapter recovers the library's panics and reports them as errors).
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		"$states.input.x", "$sum($states.input.items) + 1", "{'a': [1..3]}", "$partition([1,2,3], 2)",
		"$range(0, 10, 2)", "$hash('x', 'MD5')", "$parse('[1, null]')", "/* c */ $x", "'/*'",
		"$states.input.a[b > 1]^(c){d: e}", "function($x){$x * 2}(3)", "$map([1,2], function($v, $i){$i})",
		"$string(1/3)", "$fromMillis(0)", "$match('ab', /a(b)/)", "$states ~> | $ | {'x': 1} |",
		"$random()", "$uuid()", "$error('boom')", "(", "[1,2", `"\u`, "$$", "%", "**",
	} {
		f.Add(seed)
	}
	bindings := Bindings{
		States: map[string]any{
			"input":   map[string]any{"x": 1.0, "items": []any{1.0, 2.0}, "a": []any{map[string]any{"b": 2.0, "c": "s", "d": "k", "e": nil}}},
			"context": map[string]any{"State": map[string]any{"Name": "S"}},
		},
		Variables: map[string]any{"x": "v"},
		Sources:   Sources{Random: func() float64 { return 0.5 }, UUID: func() string { return "u" }},
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Compile(expr)
		if err != nil {
			return
		}
		_, _ = e.Evaluate(bindings)
	})
}
