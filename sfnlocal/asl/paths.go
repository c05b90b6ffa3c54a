package asl

import (
	"fmt"
	"strings"
)

// jsonataExpression returns the inside of a "{% … %}" string: in a JSONata state such a
// string is an expression and anything else is a literal.
func jsonataExpression(s string) (string, bool) {
	if len(s) < 4 || !strings.HasPrefix(s, "{%") || !strings.HasSuffix(s, "%}") {
		return "", false
	}
	return strings.TrimSpace(s[2 : len(s)-2]), true
}

// pathKind chooses how much JSONPath a field accepts.
type pathKind int

const (
	// anyPath is a JSONPath that may select several nodes (wildcards, filters, slices), a
	// variable ($name) or the context object ($$).
	anyPath pathKind = iota
	// referencePath names exactly one node of the input; ResultPath is one.
	referencePath
	// pathOrIntrinsic is an anyPath or an intrinsic function call (ErrorPath, CausePath).
	pathOrIntrinsic
)

// checkPath is a deliberately small syntax check, enough to reject what AWS rejects at
// creation time; evaluating paths is the interpreter's job.
func checkPath(path string, kind pathKind) error {
	if kind == pathOrIntrinsic && isIntrinsicCall(path) {
		return nil
	}
	if !strings.HasPrefix(path, "$") {
		return fmt.Errorf("%q is not a path: it must start with \"$\"", path)
	}
	i := 1
	switch {
	case strings.HasPrefix(path, "$$"):
		if kind == referencePath {
			return fmt.Errorf("%q cannot refer to the context object", path)
		}
		i = 2
	case i < len(path) && isIdentifierByte(path[i]):
		if kind == referencePath {
			return fmt.Errorf("%q cannot refer to a variable", path)
		}
		for i < len(path) && isIdentifierByte(path[i]) {
			i++
		}
	}
	for i < len(path) {
		var err error
		switch path[i] {
		case '.':
			i, err = scanDotStep(path, i, kind)
		case '[':
			i, err = scanBracketStep(path, i, kind)
		default:
			err = fmt.Errorf("%q has an unexpected %q at offset %d", path, path[i], i)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isIdentifierByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// scanDotStep reads ".name", ".*" or "..name" starting at path[i] == '.'.
func scanDotStep(path string, i int, kind pathKind) (int, error) {
	i++
	if i < len(path) && path[i] == '.' {
		if kind == referencePath {
			return 0, fmt.Errorf("%q uses recursive descent \"..\", not allowed in a reference path", path)
		}
		i++
	}
	start := i
	for i < len(path) && path[i] != '.' && path[i] != '[' {
		i++
	}
	name := path[start:i]
	switch {
	case name == "":
		return 0, fmt.Errorf("%q has an empty field name at offset %d", path, start)
	case name == "*" && kind == referencePath:
		return 0, fmt.Errorf("%q uses a wildcard, not allowed in a reference path", path)
	case strings.ContainsAny(name, " \t\r\n"):
		return 0, fmt.Errorf("%q has white space in field name %q", path, name)
	}
	return i, nil
}

// scanBracketStep reads "['name']", "[3]", "[*]" or, outside reference paths, any
// bracketed selector (filter, slice, union), starting at path[i] == '['.
func scanBracketStep(path string, i int, kind pathKind) (int, error) {
	start := i + 1
	if start < len(path) && (path[start] == '\'' || path[start] == '"') {
		end := strings.IndexByte(path[start+1:], path[start])
		if end < 0 {
			return 0, fmt.Errorf("%q has an unterminated quoted name", path)
		}
		closing := start + 1 + end + 1
		if closing >= len(path) || path[closing] != ']' {
			return 0, fmt.Errorf("%q: expected \"]\" after a quoted name at offset %d", path, closing)
		}
		return closing + 1, nil
	}
	depth := 1
	j := start
	for ; j < len(path) && depth > 0; j++ {
		switch path[j] {
		case '[':
			depth++
		case ']':
			depth--
		}
	}
	if depth > 0 {
		return 0, fmt.Errorf("%q has an unclosed \"[\"", path)
	}
	selector := path[start : j-1]
	if selector == "" {
		return 0, fmt.Errorf("%q has an empty \"[]\"", path)
	}
	if kind == referencePath && strings.Trim(selector, "0123456789") != "" {
		return 0, fmt.Errorf("%q selects with [%s]; a reference path only allows an index or a quoted name", path, selector)
	}
	return j, nil
}

// isIntrinsicCall recognises an intrinsic function call such as States.Format(…), which
// ErrorPath, CausePath and ".$" template fields accept in place of a path.
func isIntrinsicCall(s string) bool {
	return strings.HasPrefix(s, "States.") && strings.HasSuffix(s, ")") && strings.Contains(s, "(")
}
