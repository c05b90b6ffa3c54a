package asl

import (
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
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

// checkPath checks a path with the very compiler the interpreter uses, so that what
// validates is what runs.
func checkPath(path string, kind pathKind) error {
	switch kind {
	case referencePath:
		_, err := jsonpath.CompileReference(path)
		return err
	case pathOrIntrinsic:
		_, err := jsonpath.CompileExpression(path)
		return err
	}
	_, err := jsonpath.Compile(path)
	return err
}
