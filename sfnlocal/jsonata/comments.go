package jsonata

import "strings"

// stripComments removes /* ... */ comments, which JSONata 2.x allows but the underlying
// library cannot parse. Quoted strings and names are left alone, so a "/*" inside a string
// literal stays text. An unterminated comment is kept so that the parser reports it.
func stripComments(src string) string {
	if !strings.Contains(src, "/*") {
		return src
	}
	var out strings.Builder
	out.Grow(len(src))
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			out.WriteByte(c)
			if c == '\\' && quote != '`' && i+1 < len(src) {
				i++
				out.WriteByte(src[i])
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
			out.WriteByte(c)
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				out.WriteString(src[i:])
				return out.String()
			}
			out.WriteByte(' ')
			i += 2 + end + 1
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}
