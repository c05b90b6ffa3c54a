package jsonpath

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decode turns JSON text into a value, objects in document order.
func decode(t testing.TB, text string) any {
	t.Helper()
	v, err := jsonvalue.ParseString(text)
	require.NoError(t, err)
	return v
}

const storeJSON = `{
	"store": {
		"book": [
			{"title": "A", "price": 8.95, "tags": ["x"]},
			{"title": "B", "price": 12.99, "isbn": "1-2"},
			{"title": "C", "price": 22.99, "isbn": null}
		],
		"bicycle": {"color": "red", "price": 19.95}
	},
	"a b": 1,
	"quote's": 2,
	"Test\\\"\"Name\"": "escaped",
	"nested": {"x": {"y": [10, 20, 30]}},
	"str": "text",
	"nul": null
}`

func testEnv(t testing.TB) *Env {
	return &Env{
		Context: decode(t, `{"Execution": {"Id": "exec-1", "Input": {"k": 1}}, "Map": {"Item": {"Index": 2, "Value": "v"}}}`),
		Vars:    Vars{"answer": 42.0, "obj": jsonvalue.ObjectOf("list", []any{"p", "q"})},
	}
}

func TestDefinitePaths(t *testing.T) {
	input := decode(t, storeJSON)
	tests := []struct {
		path string
		want any
	}{
		{"$", input},
		{"$.str", "text"},
		{"$.nul", nil},
		{"$.store.bicycle.color", "red"},
		{"$['a b']", 1.0},
		{`$["a b"]`, 1.0},
		{`$['quote\'s']`, 2.0},
		{`$['Test\""Name"']`, "escaped"},
		{"$.store.book[0].title", "A"},
		{"$.store.book[-1].title", "C"},
		{"$.store['book'][1]['isbn']", "1-2"},
		{"$.nested.x.y[2]", 30.0},
		{"$.store.book[ 1 ].title", "B"},
		{"$$.Execution.Id", "exec-1"},
		{"$$.Map.Item.Value", "v"},
		{"$$", testEnv(t).Context},
		{"$answer", 42.0},
		{"$obj.list[1]", "q"},
		{"$obj['list'][0]", "p"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Compile(tt.path)
			require.NoError(t, err)
			assert.True(t, p.IsDefinite())
			assert.Equal(t, tt.path, p.String())
			got, err := p.Eval(input, testEnv(t))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestQueries(t *testing.T) {
	input := decode(t, storeJSON)
	tests := []struct {
		path string
		want string
	}{
		{"$.store.book[*].title", `["A","B","C"]`},
		{"$.store.book.*.title", `["A","B","C"]`},
		{"$.store.bicycle.*", `["red",19.95]`},
		{"$.store.book[0:2].title", `["A","B"]`},
		{"$.store.book[1:].title", `["B","C"]`},
		{"$.store.book[:1].title", `["A"]`},
		{"$.store.book[-2:].title", `["B","C"]`},
		{"$.store.book[5:9]", `[]`},
		{"$.store.book[0,2].title", `["A","C"]`},
		{"$.store.book[0]['title','price']", `["A",8.95]`},
		{"$..price", `[8.95,12.99,22.99,19.95]`}, // document order, as Jayway visits it
		{"$.store..title", `["A","B","C"]`},
		{"$..book[1].title", `["B"]`},
		{"$..y[*]", `[10,20,30]`},
		{"$.store.book[?(@.price > 10)].title", `["B","C"]`},
		{"$.store.book[?(@.price <= 12.99 && @.title != 'A')].title", `["B"]`},
		{"$.store.book[?(@.title == 'A' || @.title == \"C\")].title", `["A","C"]`},
		{"$.store.book[?(@.isbn)].title", `["B","C"]`},
		{"$.store.book[?(!@.isbn)].title", `["A"]`},
		{"$.store.book[?(@.isbn == null)].title", `["C"]`},
		{"$.store.book[?(@.tags[0] == 'x')].title", `["A"]`},
		{"$.store.book[?(@.title =~ /^[ab]$/i)].title", `["A","B"]`},
		{"$.store.book[?(@.price > $.store.bicycle.price)].title", `["C"]`},
		{"$.store.book[?((@.price < 10) || (@.price > 20))].title", `["A","C"]`},
		{"$.store.book[?(@.price >= 'x')].title", `[]`},
		{"$.store.bicycle[?(@.color == 'red')].price", `[19.95]`},
		{"$.missing[*]", `[]`},
		{"$.item.items[1:5].itemValue", `[]`},
		{"$obj.list[*]", `["p","q"]`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Compile(tt.path)
			require.NoError(t, err)
			assert.False(t, p.IsDefinite())
			got, err := p.Eval(input, testEnv(t))
			require.NoError(t, err)
			assert.Equal(t, decode(t, tt.want), got)
		})
	}
}

// TestPathMisses checks the wording of a path that selects nothing, which AWS takes
// from Jayway (recorded: "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for
// path: $['NoSuchTimeoutSecondsPath']").
func TestPathMisses(t *testing.T) {
	input := decode(t, storeJSON)
	tests := []struct {
		path, cause string
	}{
		{"$.NoSuchTimeoutSecondsPath", "Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: $['NoSuchTimeoutSecondsPath']"},
		{"$.store.nope", "Invalid path '$.store.nope' : No results for path: $['store']['nope']"},
		{"$.no.such.path", "Invalid path '$.no.such.path' : Missing property in path $['no']"},
		{"$.store.book[7]", "Invalid path '$.store.book[7]' : No results for path: $['store']['book'][7]"},
		{"$.str.x", "Invalid path '$.str.x' : Expected to find an object with property ['x'] in path $['str'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."},
		{"$.nul.x", "Invalid path '$.nul.x' : Expected to find an object with property ['x'] in path $['nul'] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."},
		{"$.str[0]", "Invalid path '$.str[0]' : Filter: [0] can only be applied to arrays. Current context is: text"},
		{"$$.Execution.Nope", "Invalid path '$$.Execution.Nope' : No results for path: $['Execution']['Nope']"},
		{"$nosuchvar", "Invalid path '$nosuchvar' : No results for path: $nosuchvar"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := MustCompile(tt.path)
			_, ok := p.Lookup(input, testEnv(t))
			assert.False(t, ok)
			_, err := p.Eval(input, testEnv(t))
			assert.Equal(t, &failure.Error{Name: failure.Runtime, Cause: tt.cause}, failure.As(err))
		})
	}
}

func TestEvalWithoutEnv(t *testing.T) {
	v, err := MustCompile("$$").Eval(nil, nil)
	require.NoError(t, err)
	assert.Nil(t, v)
	_, ok := MustCompile("$x").Lookup(nil, nil)
	assert.False(t, ok)
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		path, want string
	}{
		{"", `must start with "$"`},
		{"a.b", `must start with "$"`},
		{"$.", "missing field name"},
		{"$.a.", "missing field name"},
		{"$.a b", "white space in a field name"},
		{"$a-b", `unexpected "-b"`},
		{"$.a[", "expected an index"},
		{"$.a[0", `expected "]"`},
		{"$.a[x]", "expected an index"},
		{"$.a['x]", "unterminated quoted name"},
		{"$.a[99999999999]", "invalid index"},
		{"$.a[1,]", "expected an index"},
		{"$.[0]", `unexpected "[" after "."`},
		{"$.a[?(@.x > )]", "expected @, $, a string"},
		{"$.a[?@.x]", `expected "(" after "?"`},
		{"$.a[?(@.x =~ abc)]", "expected /regex/"},
		{"$.a[?(@.x =~ /abc)]", "unterminated regular expression"},
		{"$.a[?(@.x =~ /(/)]", "invalid regular expression"},
		{"$.a[?((@.x)]", `expected ")"`},
		{"$.a[?(@.x]", `expected ")" to close the filter`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := Compile(tt.path)
			var syntax *SyntaxError
			require.ErrorAs(t, err, &syntax)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestCompileReference(t *testing.T) {
	for _, ok := range []string{"$", "$.a", "$['a'].b[0]"} {
		_, err := CompileReference(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"$.a[*]", "$..a", "$$.Execution", "$var", "$.a[0:1]", "$.a[?(@.x)]", "a"} {
		_, err := CompileReference(bad)
		assert.Error(t, err, bad)
	}
}

func TestMustCompilePanics(t *testing.T) {
	assert.Panics(t, func() { MustCompile("nope") })
}
