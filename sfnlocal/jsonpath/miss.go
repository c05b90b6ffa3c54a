package jsonpath

import (
	"strconv"
	"strings"
)

// missKind is why a definite path selected nothing.
type missKind uint8

const (
	missLeaf      missKind = iota // the last step found nothing
	missProperty                  // an intermediate field is absent
	missNotObject                 // a field step met something that is not an object
	missNotArray                  // an index step met something that is not an array
	missVariable                  // the variable is not defined
)

// miss records where a definite path failed; the message is built only if needed.
type miss struct {
	kind  missKind
	at    int // index of the failing segment
	found any
}

// describe words the miss as Jayway, the JSONPath library behind AWS, does: AWS quotes
// those messages (recorded: "No results for path: $['NoSuchTimeoutSecondsPath']").
// The Java class names are the ones Jayway's Jackson provider would report.
func (m *miss) describe(p *Path) string {
	switch m.kind {
	case missVariable:
		return "No results for path: " + p.text
	case missProperty:
		return "Missing property in path " + p.normalized(m.at+1)
	case missNotObject:
		return "Expected to find an object with property " + p.segments[m.at].bracketed() +
			" in path " + p.normalized(m.at) + " but found '" + javaClass(m.found) +
			"'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'."
	case missNotArray:
		return "Filter: " + p.segments[m.at].bracketed() + " can only be applied to arrays. Current context is: " + javaString(m.found)
	}
	return "No results for path: " + p.normalized(len(p.segments))
}

// normalized renders the first n steps in Jayway's bracket notation: $['a'][0].
// Context paths render from "$" because AWS evaluates them against the context object.
func (p *Path) normalized(n int) string {
	var b strings.Builder
	b.WriteByte('$')
	if p.root == rootVariable {
		b.WriteString(p.variable)
	}
	for i := range p.segments[:n] {
		b.WriteString(p.segments[i].bracketed())
	}
	return b.String()
}

// bracketed renders a definite step: ['name'] or [3].
func (s *segment) bracketed() string {
	if s.kind == segIndex {
		return "[" + strconv.Itoa(s.index) + "]"
	}
	return "['" + s.name + "']"
}

func javaClass(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "java.lang.String"
	case bool:
		return "java.lang.Boolean"
	case float64:
		if v == float64(int32(v)) {
			return "java.lang.Integer"
		}
		return "java.lang.Double"
	case []any:
		return "java.util.ArrayList"
	}
	return "java.util.LinkedHashMap"
}

func javaString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}
