package jsonata

import (
	"errors"
	"reflect"
	"sort"
	"strings"

	"github.com/blues/jsonata-go/jtypes"
)

// The library evaluates user functions by plain Go recursion, with no limit: a function
// that calls itself a few hundred thousand times deep overflows the goroutine stack,
// which is fatal to the whole process, not an error. One bad definition must not bring
// a server down, so every user function body is wrapped to count its depth:
//
//	function($n){ body }   becomes   function($n){ $__leave($__enter(), (body)) }
//
// $__enter fails the evaluation past maxDepth, as jsonata-js does with U1001 where the
// JavaScript stack runs out; $__leave passes the body's value through.

// maxDepth is deep enough for any sensible recursion and far from the stack's end.
const maxDepth = 10000

const (
	enterName = "__enter"
	leaveName = "__leave"
)

// errTooDeep is jsonata-js's error for runaway recursion.
var errTooDeep = errors.New("U1001: Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.")

// depthGuard counts the user functions being evaluated, for one evaluation.
type depthGuard struct{ depth int }

// bind adds the guard's two functions to an evaluation's scope.
func (g *depthGuard) bind(scope map[string]any) {
	scope[enterName] = enterFunction{g}
	scope[leaveName] = leaveFunction{g}
}

type enterFunction struct{ g *depthGuard }

func (f enterFunction) Name() string    { return enterName }
func (f enterFunction) ParamCount() int { return 0 }
func (f enterFunction) Call([]reflect.Value) (reflect.Value, error) {
	f.g.depth++
	if f.g.depth > maxDepth {
		return reflect.Value{}, errTooDeep
	}
	return reflect.ValueOf(true), nil
}

type leaveFunction struct{ g *depthGuard }

func (f leaveFunction) Name() string    { return leaveName }
func (f leaveFunction) ParamCount() int { return 2 }
func (f leaveFunction) Call(argv []reflect.Value) (reflect.Value, error) {
	f.g.depth--
	if len(argv) < 2 {
		return reflect.Value{}, nil // the body's value was undefined
	}
	return argv[1], nil
}

var _ jtypes.Callable = enterFunction{}
var _ jtypes.Callable = leaveFunction{}

// guardRecursion rewrites src so that every user function body counts its depth. It
// works on the parser's own rendering of the expression, whose syntax is regular (one
// quote style, spaced operators), and returns src unchanged when there is no function
// or the rendering cannot be scanned with confidence.
func guardRecursion(src string) string {
	if !strings.Contains(src, "function") && !strings.Contains(src, "λ") {
		return src
	}
	root, err := parseGuarded(src)
	if err != nil {
		return src
	}
	rendered := root.String()
	insertions, ok := lambdaBodies(rendered)
	if !ok || len(insertions) == 0 {
		return src
	}
	sort.Slice(insertions, func(i, j int) bool { return insertions[i].at > insertions[j].at })
	out := rendered
	for _, ins := range insertions {
		out = out[:ins.at] + ins.text + out[ins.at:]
	}
	return out
}

type insertion struct {
	at   int
	text string
}

// lambdaBodies finds each function body in a rendered expression and returns the text
// to insert at its start and end.
func lambdaBodies(s string) ([]insertion, bool) {
	var out []insertion
	for i := 0; i < len(s); {
		skip, ok := skipLiteral(s, i)
		if !ok {
			return nil, false
		}
		if skip > i {
			i = skip
			continue
		}
		keyword := ""
		switch {
		case strings.HasPrefix(s[i:], "function(") && (i == 0 || !isNameByte(s[i-1])):
			keyword = "function"
		case strings.HasPrefix(s[i:], "λ("):
			keyword = "λ"
		}
		if keyword == "" {
			i++
			continue
		}
		open, ok := bodyStart(s, i+len(keyword))
		if !ok {
			return nil, false
		}
		end, ok := matching(s, open)
		if !ok {
			return nil, false
		}
		out = append(out, insertion{open + 1, "$" + leaveName + "($" + enterName + "(), ("}, insertion{end, "))"})
		i += len(keyword)
	}
	return out, true
}

// bodyStart skips a function's parameters and signature and returns the index of the
// brace that opens its body.
func bodyStart(s string, paren int) (int, bool) {
	close, ok := matching(s, paren)
	if !ok {
		return 0, false
	}
	i := close + 1
	if i < len(s) && s[i] == '<' { // a signature such as <n-n:n>
		depth := 0
		for ; i < len(s); i++ {
			if s[i] == '<' {
				depth++
			} else if s[i] == '>' {
				if depth--; depth == 0 {
					break
				}
			}
		}
		i++
	}
	if i >= len(s) || s[i] != '{' {
		return 0, false
	}
	return i, true
}

// matching returns the index of the bracket closing the one at open, skipping literals.
func matching(s string, open int) (int, bool) {
	depth := 0
	for i := open; i < len(s); {
		skip, ok := skipLiteral(s, i)
		if !ok {
			return 0, false
		}
		if skip > i {
			i = skip
			continue
		}
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth--; depth == 0 {
				return i, true
			}
		}
		i++
	}
	return 0, false
}

// skipLiteral returns the index after a string, quoted name or regex starting at i, i
// itself when none starts there, and false when one never ends.
func skipLiteral(s string, i int) (int, bool) {
	switch c := s[i]; {
	case c == '"' || c == '\'' || c == '`':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case c:
				return j + 1, true
			}
		}
		return 0, false
	case c == '/' && isRegexStart(s, i):
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '/':
				for j+1 < len(s) && isNameByte(s[j+1]) { // flags
					j++
				}
				return j + 1, true
			}
		}
		return 0, false
	}
	return i, true
}

// isRegexStart tells a regex from a division: the rendering spaces its operators.
func isRegexStart(s string, i int) bool {
	return !(i > 0 && s[i-1] == ' ' && i+1 < len(s) && s[i+1] == ' ')
}

func isNameByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
