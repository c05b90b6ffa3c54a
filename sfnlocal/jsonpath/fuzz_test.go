package jsonpath

import (
	"testing"
)

// FuzzCompilePath checks that any text either fails to compile with a SyntaxError or
// compiles to a path that evaluates without panicking.
func FuzzCompilePath(f *testing.F) {
	for _, seed := range []string{
		"$", "$$", "$x", "$.a.b", "$['a b']", `$["q\"uote"]`, "$.a[0]", "$.a[-1]", "$.a[*].b", "$..b",
		"$.a[1:3]", "$.a[:2]", "$.a[0,2]", "$['a','b']", "$.a[?(@.x > 1)]", "$.a[?(@.x == 'y' && !@.z)]",
		"$.a[?(@.s =~ /a.*/i)]", "$.a[?(@.p > $.q)]", "$$.Execution.Input", "$obj.list[1]",
	} {
		f.Add(seed)
	}
	doc := decode(f, storeJSON)
	env := testEnv(f)
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Compile(text)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Compile(%q) failed with %T, not a *SyntaxError", text, err)
			}
			return
		}
		if p.String() != text {
			t.Fatalf("String() = %q, want %q", p.String(), text)
		}
		_, found := p.Lookup(doc, env)
		if _, err := p.Eval(doc, env); (err == nil) != found {
			t.Fatalf("Eval and Lookup disagree on %q", text)
		}
		if p.IsReference() {
			_, _ = ApplyResultPath(p, doc, "r")
		}
	})
}
