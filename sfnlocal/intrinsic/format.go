package intrinsic

import (
	"strconv"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// format fills each "{}" of its template with the next argument. "\{" and "\}" are
// literal braces, so a template written as a literal is read as written (raw), escapes
// included; a template that comes from a path is read the same way.
func format(call *Call, args []any, _ *Env) (any, error) {
	template, ok := args[0].(string)
	if !ok {
		return nil, invalidArgument(call, "the template must be a string, got %s", describe(args[0]))
	}
	if lit, ok := call.args[0].(literal); ok {
		template = lit.raw
	}
	values := args[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(template); i++ {
		c := template[i]
		switch {
		case c == '\\' && i+1 < len(template) && isEscapable(template[i+1]):
			i++
			b.WriteByte(template[i])
		case c == '{' && i+1 < len(template) && template[i+1] == '}':
			if next >= len(values) {
				return nil, invalidArgument(call, "the template has more placeholders than the %d values given", len(values))
			}
			writeFormatted(&b, values[next])
			next++
			i++
		default:
			b.WriteByte(c)
		}
	}
	if next < len(values) {
		return nil, invalidArgument(call, "the template has %d placeholders for %d values", next, len(values))
	}
	return b.String(), nil
}

// writeFormatted writes v the way AWS's Java runtime prints it: strings bare, whole
// numbers without a fraction, objects as {key=value, ...} and arrays as [a, b]
// (recorded: $$.StateMachine formats as "{Id=arn:..., Name=...}").
func writeFormatted(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case float64:
		b.WriteString(formatNumber(v))
	case []any:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFormatted(b, item)
		}
		b.WriteByte(']')
	case *jsonvalue.Object: // as Java prints a LinkedHashMap: in order
		b.WriteByte('{')
		for i, m := range v.Members() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.Key)
			b.WriteByte('=')
			writeFormatted(b, m.Value)
		}
		b.WriteByte('}')
	default:
		b.WriteString(JSONText(v))
	}
}

// formatNumber prints whole numbers as integers and others in their shortest form.
func formatNumber(f float64) string {
	if f == float64(int64(f)) && f > -1e15 && f < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
