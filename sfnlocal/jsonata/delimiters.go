package jsonata

import "strings"

const (
	openDelimiter  = "{%"
	closeDelimiter = "%}"
)

// IsExpression reports whether an ASL string value is a JSONata expression. AWS requires the
// delimiters at the very ends: " {% x %}" or "{% x %} " are plain strings.
func IsExpression(s string) bool {
	return len(s) >= len(openDelimiter)+len(closeDelimiter) &&
		strings.HasPrefix(s, openDelimiter) && strings.HasSuffix(s, closeDelimiter)
}

// stripDelimiters returns the expression between the delimiters, trimmed the way AWS quotes
// it in error causes ("{% $x %}" is reported as '$x').
func stripDelimiters(s string) string {
	if IsExpression(s) {
		s = s[len(openDelimiter) : len(s)-len(closeDelimiter)]
	}
	return strings.TrimSpace(s)
}
