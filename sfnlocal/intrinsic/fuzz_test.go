package intrinsic

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// FuzzParseIntrinsic checks that any text either fails to parse with a SyntaxError or
// parses to a call that evaluates without panicking and prints back as written.
func FuzzParseIntrinsic(f *testing.F) {
	for _, seed := range []string{
		"States.Array()", "States.Format('{} and {}', $.a, 1.5)", `States.Format('\{\}', 'x')`,
		"States.StringToJson('{\"a\": [1]}')", "States.JsonToString($)", "States.ArrayPartition(States.Array(1, 2, 3), 2)",
		"States.ArrayContains(States.Array(true), true)", "States.ArrayRange(0, 10, 3)", "States.ArrayGetItem(States.Array('a'), 0)",
		"States.ArrayLength(States.Array())", "States.ArrayUnique(States.Array(1, 1))", "States.Base64Encode('x')",
		"States.Base64Decode('eA==')", "States.Hash('x', 'SHA-256')", "States.JsonMerge($, $, false)",
		"States.MathRandom(1, 9, 3)", "States.MathAdd(-1.5, $$.n)", "States.StringSplit('a,b', ',')", "States.UUID()",
		"States.Format($greeting, null)",
	} {
		f.Add(seed)
	}
	input := jsonvalue.ObjectOf("a", []any{1.0, "x"}, "n", 2.0)
	f.Fuzz(func(t *testing.T, text string) {
		call, err := Parse(text, compileField)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) failed with %T, not a *SyntaxError", text, err)
			}
			return
		}
		_, _ = call.Eval(input, testEnv())
		if _, err := Parse(call.String(), compileField); err != nil {
			t.Fatalf("the printed call %q does not parse again: %v", call.String(), err)
		}
	})
}
