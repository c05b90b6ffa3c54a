package intrinsic

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormat(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "values of every type", expr: "States.Format('{} {} {} {} {}', 'text', 1, 1.5, true, null)", want: "text 1 1.5 true null"},
		{name: "object and array like Java", expr: "States.Format('{}', $)", input: map[string]any{"b": []any{1.0, "x"}, "a": map[string]any{"c": nil}},
			want: "{a={c=null}, b=[1, x]}"},
		{name: "escaped braces are literal", expr: `States.Format('\{\} {}', 'x')`, want: "{} x"},
		{name: "template from a path", expr: "States.Format($.t, 'x')", input: map[string]any{"t": "<{}>"}, want: "<x>"},
		{name: "no placeholders", expr: "States.Format('plain')", want: "plain"},
		{name: "too few values", expr: "States.Format('{} {}', 'x')", wantErr: "more placeholders"},
		{name: "too many values", expr: "States.Format('{}', 'x', 'y')", wantErr: "1 placeholders for 2 values"},
		{name: "template not a string", expr: "States.Format(1)", wantErr: "template must be a string"},
	})
}

func TestJSONFunctions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "StringToJson object", expr: `States.StringToJson('{"a": [1, "<&>"]}')`, want: map[string]any{"a": []any{1.0, "<&>"}}},
		{name: "StringToJson blank is null", expr: "States.StringToJson(' ')", want: nil},
		{name: "StringToJson minus zero", expr: "States.StringToJson('-0')", want: 0.0},
		{name: "StringToJson invalid", expr: "States.StringToJson('{')", wantErr: "not valid JSON"},
		{name: "StringToJson trailing data", expr: "States.StringToJson('1 2')", wantErr: "not valid JSON"},
		{name: "StringToJson not a string", expr: "States.StringToJson(1)", wantErr: "must be a string"},
		{name: "JsonToString compact, no HTML escaping", expr: "States.JsonToString($)", input: map[string]any{"b": "<&>", "a": []any{1.0}}, want: `{"a":[1],"b":"<&>"}`},
		{name: "JsonToString string", expr: "States.JsonToString('x')", want: `"x"`},
		{name: "JsonMerge shallow", expr: "States.JsonMerge($.l, $.r, false)",
			input: map[string]any{"l": map[string]any{"a": map[string]any{"x": 1.0}, "b": 1.0}, "r": map[string]any{"a": map[string]any{"y": 2.0}}},
			want:  map[string]any{"a": map[string]any{"y": 2.0}, "b": 1.0}},
		{name: "JsonMerge deep refused", expr: "States.JsonMerge($.l, $.l, true)", input: map[string]any{"l": map[string]any{}}, wantErr: "only shallow merging"},
		{name: "JsonMerge not an object", expr: "States.JsonMerge('a', $.l, false)", input: map[string]any{"l": map[string]any{}}, wantErr: "first argument must be a JSON object"},
		{name: "JsonMerge second not an object", expr: "States.JsonMerge($.l, 1, false)", input: map[string]any{"l": map[string]any{}}, wantErr: "second argument must be a JSON object"},
	})
}

func TestArrayFunctions(t *testing.T) {
	in := map[string]any{"a": []any{1.0, "x", map[string]any{"k": 1.0}, 1.0, map[string]any{"k": 1.0}}}
	runEvalCases(t, []evalCase{
		{name: "Array", expr: "States.Array(1, $.a)", input: map[string]any{"a": "x"}, want: []any{1.0, "x"}},
		{name: "ArrayPartition", expr: "States.ArrayPartition(States.Array(1, 2, 3), 2)", want: []any{[]any{1.0, 2.0}, []any{3.0}}},
		{name: "ArrayPartition empty", expr: "States.ArrayPartition(States.Array(), 2)", want: []any{}},
		{name: "ArrayPartition zero chunk", expr: "States.ArrayPartition(States.Array(1), 0)", wantErr: "greater than 0"},
		{name: "ArrayPartition fractional chunk", expr: "States.ArrayPartition(States.Array(1), 1.5)", wantErr: "must be an integer"},
		{name: "ArrayPartition not an array", expr: "States.ArrayPartition('a', 1)", wantErr: "must be an array"},
		{name: "ArrayContains object", expr: `States.ArrayContains($.a, States.StringToJson('{"k":1}'))`, input: in, want: true},
		{name: "ArrayContains number", expr: "States.ArrayContains(States.Array(1, 2), 2)", want: true},
		{name: "ArrayContains is type strict", expr: "States.ArrayContains(States.Array(1, 2), '2')", want: false},
		{name: "ArrayContains not an array", expr: "States.ArrayContains(1, 1)", wantErr: "must be an array"},
		{name: "ArrayRange up", expr: "States.ArrayRange(1, 9, 2)", want: []any{1.0, 3.0, 5.0, 7.0, 9.0}},
		{name: "ArrayRange down", expr: "States.ArrayRange(3, 0, -2)", want: []any{3.0, 1.0}},
		{name: "ArrayRange wrong direction", expr: "States.ArrayRange(5, 4, 3)", want: []any{}},
		{name: "ArrayRange single", expr: "States.ArrayRange(1, 1, 5)", want: []any{1.0}},
		{name: "ArrayRange zero step", expr: "States.ArrayRange(1, 2, 0)", wantErr: "must not be 0"},
		{name: "ArrayRange too long", expr: "States.ArrayRange(0, 1000, 1)", wantErr: "more than the 1000 allowed"},
		{name: "ArrayRange fractional", expr: "States.ArrayRange(0.5, 2, 1)", wantErr: "start must be an integer"},
		{name: "ArrayGetItem", expr: "States.ArrayGetItem(States.Array('a', 'b'), 1)", want: "b"},
		{name: "ArrayGetItem out of bounds", expr: "States.ArrayGetItem(States.Array('a'), 1)", wantErr: "out of bounds"},
		{name: "ArrayGetItem negative", expr: "States.ArrayGetItem(States.Array('a'), -1)", wantErr: "out of bounds"},
		{name: "ArrayGetItem index not a number", expr: "States.ArrayGetItem(States.Array('a'), '0')", wantErr: "index must be an integer"},
		{name: "ArrayLength", expr: "States.ArrayLength(States.Array(1, 2, 3))", want: 3.0},
		{name: "ArrayLength not an array", expr: "States.ArrayLength('abc')", wantErr: "must be an array"},
		{name: "ArrayUnique keeps first occurrences", expr: "States.ArrayUnique($.a)", input: in, want: []any{1.0, "x", map[string]any{"k": 1.0}}},
		{name: "ArrayUnique not an array", expr: "States.ArrayUnique(null)", wantErr: "must be an array"},
	})
}

// The SHA-1 and SHA-256 digests are AWS's (recorded); the others come from Python's hashlib.
func TestEncodingAndHashFunctions(t *testing.T) {
	long := map[string]any{"s": strings.Repeat("x", maxCodecInput+1)}
	runEvalCases(t, []evalCase{
		{name: "Base64Encode", expr: "States.Base64Encode('Hello World')", want: "SGVsbG8gV29ybGQ="},
		{name: "Base64Decode", expr: "States.Base64Decode('SGVsbG8gV29ybGQ=')", want: "Hello World"},
		{name: "Base64Decode empty", expr: "States.Base64Decode('')", want: ""},
		{name: "Base64Decode invalid", expr: "States.Base64Decode('%%%')", wantErr: "not base64"},
		{name: "Base64Encode too long", expr: "States.Base64Encode($.s)", input: long, wantErr: "more than the 10000 allowed"},
		{name: "Base64Encode not a string", expr: "States.Base64Encode(1)", wantErr: "must be a string"},
		{name: "Hash MD5", expr: "States.Hash('input data', 'MD5')", want: "812f45842bc6d66ee14572ce20db8e86"},
		{name: "Hash SHA-1", expr: "States.Hash('input data', 'SHA-1')", want: "aaff4a450a104cd177d28d18d74485e8cae074b7"},
		{name: "Hash SHA-256", expr: "States.Hash('input data', 'SHA-256')", want: "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"},
		{name: "Hash SHA-384", expr: "States.Hash('input data', 'SHA-384')", want: "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"},
		{name: "Hash SHA-512", expr: "States.Hash('input data', 'SHA-512')", want: "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"},
		{name: "Hash unknown algorithm", expr: "States.Hash('x', 'SHA-3')", wantErr: "must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"},
		{name: "Hash data too long", expr: "States.Hash($.s, 'MD5')", input: long, wantErr: "more than the 10000 allowed"},
	})
}

func TestMathFunctions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "MathAdd", expr: "States.MathAdd(111, -1)", want: 110.0},
		{name: "MathAdd rounds each argument half up", expr: "States.MathAdd(-1.5, 2.5)", want: 2.0},
		{name: "MathAdd out of int range", expr: "States.MathAdd(2147483648, 0)", wantErr: "between -2147483648 and 2147483647"},
		{name: "MathAdd not a number", expr: "States.MathAdd('1', 0)", wantErr: "must be a number"},
		{name: "MathRandom uses the injected source", expr: "States.MathRandom(10, 20)", want: 17.0},
		{name: "MathRandom end not above start", expr: "States.MathRandom(5, 5)", wantErr: "must be greater than the start"},
		{name: "MathRandom seed not a number", expr: "States.MathRandom(1, 5, 'x')", wantErr: "seed must be a number"},
	})
}

func TestMathRandomSeedIsDeterministic(t *testing.T) {
	call, err := Parse("States.MathRandom(0, 1000000, 42)", nil)
	require.NoError(t, err)
	first, err := call.Eval(nil, nil)
	require.NoError(t, err)
	for range 5 {
		again, err := call.Eval(nil, &Env{Random: rand.New(rand.NewPCG(1, 2))})
		require.NoError(t, err)
		assert.Equal(t, first, again)
	}
}

func TestMathRandomStaysInRange(t *testing.T) {
	call, err := Parse("States.MathRandom(-3, 3)", nil)
	require.NoError(t, err)
	env := &Env{Random: rand.New(rand.NewPCG(7, 7))}
	for range 200 {
		v, err := call.Eval(nil, env)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, v, -3.0)
		assert.Less(t, v, 3.0)
	}
}

func TestStringSplit(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "simple", expr: "States.StringSplit('a,b,c', ',')", want: []any{"a", "b", "c"}},
		{name: "drops empty pieces", expr: "States.StringSplit(', , ,', ',')", want: []any{" ", " "}},
		{name: "only delimiters", expr: "States.StringSplit(',,,', ',')", want: []any{}},
		{name: "every delimiter character splits", expr: "States.StringSplit('a-b+c', '+-')", want: []any{"a", "b", "c"}},
		{name: "not a string", expr: "States.StringSplit(1, ',')", wantErr: "string to split must be a string"},
		{name: "delimiter not a string", expr: "States.StringSplit('a', 1)", wantErr: "delimiter must be a string"},
	})
}

func TestUUID(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "injected generator", expr: "States.UUID()", want: "11111111-2222-4333-8444-555555555555"},
	})
	call, err := Parse("States.UUID()", nil)
	require.NoError(t, err)
	v, err := call.Eval(nil, nil)
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`), v)
}
