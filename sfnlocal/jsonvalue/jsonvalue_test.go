package jsonvalue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocumentOrderRoundTrips(t *testing.T) {
	for _, text := range []string{
		`{"zeta":1,"alpha":{"y":1,"b":2},"mid":3}`,
		`[{"b":1,"a":[{"d":null,"c":true}]},"x",-0.5,1e-7,123456789012345680000,false]`,
		`{}`, `[]`, `""`, `0`, `-0`, `null`,
	} {
		v, err := ParseString(text)
		require.NoError(t, err, text)
		assert.Equal(t, text, Text(v))
	}
}

// encodingJSON is what encoding/json prints for text, HTML escaping off: the reference
// for every value whose objects have their keys in sorted order.
func encodingJSON(t *testing.T, text string) string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(text), &v))
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return strings.TrimSuffix(b.String(), "\n")
}

func TestRendersAsEncodingJSONDoes(t *testing.T) {
	for _, text := range []string{
		`0.1`, `1e21`, `1e20`, `123.456e-10`, `-1.5e300`, `5e-324`, `9007199254740993`, `1E+2`, `0.000001`, `0.0000001`,
		`"\u0000\u001f\b\f\n\r\t\"\\/<>&"`, `"\u2028\u2029 é 😀"`, `"\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`,
		"\"\xff\xfe bad utf-8\"", `{"a":[1,2,{"b":"c"}]}`, ` [ 1 , 2 ] `,
	} {
		v, err := ParseString(text)
		require.NoError(t, err, text)
		assert.Equal(t, encodingJSON(t, text), Text(v), text)
	}
}

func TestRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, text := range []string{`{"a":1,}`, `[1,]`, `01`, `1.`, `.5`, `-`, `tru`, `"\x"`, "\"a\x01\"", `{"a" 1}`, `1 2`, ``, `1e400`, `[` + strings.Repeat("[", 20000)} {
		_, err := ParseString(text)
		assert.Error(t, err, text)
		var v any
		assert.Error(t, json.Unmarshal([]byte(text), &v), text)
	}
	_, err := ParseString(`{"a":}`)
	assert.EqualError(t, err, "invalid character '}' looking for beginning of value", "encoding/json's wording")
}

func TestObjects(t *testing.T) {
	o := ObjectOf("b", 1.0, "a", 2.0)
	o.Set("b", 3.0)
	assert.Equal(t, `{"b":3,"a":2}`, Text(o), "a key set again keeps its place")
	with := o.With("c", true)
	assert.Equal(t, `{"b":3,"a":2}`, Text(o), "With copies")
	assert.Equal(t, `{"b":3,"a":2,"c":true}`, Text(with))
	big := NewObject(0)
	for i := range 100 {
		big.Set(string(rune('A'+i)), float64(i))
	}
	v, ok := big.Get(string(rune('A' + 77)))
	assert.True(t, ok)
	assert.Equal(t, 77.0, v)
	big.Delete("A")
	v, _ = big.Get(string(rune('A' + 77)))
	assert.Equal(t, 77.0, v, "the index follows a deletion")
	assert.Equal(t, 99, big.Len())
	dup, err := ParseString(`{"a":1,"b":2,"a":3}`)
	require.NoError(t, err)
	assert.Equal(t, `{"a":3,"b":2}`, Text(dup), "the last value, in the first place")
}

func TestEqualIgnoresMemberOrder(t *testing.T) {
	a, _ := ParseString(`{"x":[1,{"p":1,"q":2}],"y":null}`)
	b, _ := ParseString(`{"y":null,"x":[1,{"q":2,"p":1}]}`)
	c, _ := ParseString(`{"y":null,"x":[{"q":2,"p":1},1]}`)
	assert.True(t, Equal(a, b))
	assert.False(t, Equal(a, c), "arrays keep their order")
	assert.False(t, Equal(1.0, "1"))
}

func TestFromAndToGo(t *testing.T) {
	type point struct {
		Y int `json:"y"`
		X int `json:"x"`
	}
	v := FromGo(map[string]any{"b": []any{point{1, 2}, 3}, "a": nil})
	assert.Equal(t, `{"a":null,"b":[{"y":1,"x":2},3]}`, Text(v), "maps sorted, structs in field order")
	assert.Equal(t, map[string]any{"a": nil, "b": []any{map[string]any{"x": 2.0, "y": 1.0}, 3.0}}, ToGo(v))
	assert.Equal(t, "null", Text(math.NaN()))
	data, err := json.Marshal(map[string]any{"o": ObjectOf("z", 1.0, "a", 2.0)})
	require.NoError(t, err)
	assert.Equal(t, `{"o":{"z":1,"a":2}}`, string(data), "encoding/json renders objects in their order")
}

func FuzzParseMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x\n"],"b":{"c":null}}`, `"\ud83d"`, `-0.0e5`, `[[[]]]`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := ParseString(text)
		var reference any
		refErr := json.Unmarshal([]byte(text), &reference)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("%q: ours %v, encoding/json %v", text, err, refErr)
		}
		if err == nil && !Equal(v, FromGo(reference)) {
			t.Fatalf("%q: ours %s, encoding/json %v", text, Text(v), reference)
		}
	})
}

func TestSizeIsTheRenderedLength(t *testing.T) {
	for _, text := range []string{`{"zeta":1,"alpha":{"y":1,"b":2.5e-9},"mid":[true,false,null,"x\n\u0001é\u2028"]}`, `[]`, `{}`, `"\ud800"`, "\"\xff\"", `-0`, `1e21`} {
		v, err := ParseString(text)
		require.NoError(t, err)
		assert.Equal(t, len(Text(v)), Size(v, 1<<20), text)
	}
	big, _ := ParseString(`["` + strings.Repeat("x", 1000) + `"]`)
	assert.Greater(t, Size(big, 10), 10, "past the limit it says so")
}

func TestWithinAgreesWithTheRenderedLength(t *testing.T) {
	for _, text := range []string{`{"zeta":1,"alpha":{"y":1,"b":-0.0000012345678901234567},"mid":[true,false,null,"x\n\u0001é\u2028"]}`,
		`[-1.2345678901234567e-308,123456789012345678901,1e300]`, `[]`, `{}`, `"\u0001\u0002"`, `null`} {
		v, err := ParseString(text)
		require.NoError(t, err)
		n := len(Text(v))
		for limit := 0; limit <= n+2; limit++ {
			assert.Equal(t, n <= limit, Within(v, limit), "%s within %d", text, limit)
		}
	}
}

func TestWithSharesMembersSafely(t *testing.T) {
	base := ObjectOf("a", 1.0).With("b", 2.0) // has room: the next With shares its array
	c1 := base.With("c", 3.0)
	c2 := base.With("d", 4.0) // the slot after base is c1's: this one copies
	assert.Equal(t, `{"a":1,"b":2}`, Text(base))
	assert.Equal(t, `{"a":1,"b":2,"c":3}`, Text(c1))
	assert.Equal(t, `{"a":1,"b":2,"d":4}`, Text(c2))
	c1.Set("a", "changed") // a change copies first
	c1.Set("e", 5.0)
	assert.Equal(t, `{"a":1,"b":2}`, Text(base))
	assert.Equal(t, `{"a":1,"b":2,"d":4}`, Text(c2))
	assert.Equal(t, `{"a":"changed","b":2,"c":3,"e":5}`, Text(c1))
	grown := c2.With("x", 1.0).With("y", 2.0).With("z", 3.0)
	assert.Equal(t, `{"a":1,"b":2,"d":4,"x":1,"y":2,"z":3}`, Text(grown))
	assert.Equal(t, `{"a":1,"b":2,"d":4}`, Text(c2))
	members := c2.Members()
	_ = append(members, Member{Key: "sneaky"}) // an append to Members copies
	assert.Equal(t, `{"a":1,"b":2,"d":4,"x":1,"y":2,"z":3}`, Text(grown))

	var wg sync.WaitGroup
	results := make([]*Object, 64)
	for i := range results {
		wg.Go(func() { results[i] = base.With("k", float64(i)) })
	}
	wg.Wait()
	for i, r := range results {
		assert.Equal(t, fmt.Sprintf(`{"a":1,"b":2,"k":%d}`, i), Text(r))
	}
}
