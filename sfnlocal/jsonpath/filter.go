package jsonpath

import (
	"reflect"
	"regexp"
)

// filterExpr is the condition of a [?(...)] step.
type filterExpr interface {
	test(node, root any, env *Env) bool
}

// operand is one side of a comparison: a literal, @... or $....
type operand interface {
	value(node, root any, env *Env) (any, bool)
}

type literalOperand struct{ v any }

func (l literalOperand) value(any, any, *Env) (any, bool) { return l.v, true }

// relativePath is @ followed by steps, applied to the node under test.
type relativePath struct{ segments []segment }

func (r relativePath) value(node, root any, env *Env) (any, bool) {
	return followSteps(r.segments, node, root, env)
}

// absolutePath is $ followed by steps inside a filter: it reads the document the
// whole path is applied to.
type absolutePath struct{ segments []segment }

func (a absolutePath) value(_, root any, env *Env) (any, bool) {
	return followSteps(a.segments, root, root, env)
}

func followSteps(segments []segment, v, root any, env *Env) (any, bool) {
	for i := range segments {
		if !segments[i].isDefinite() {
			return collect(root, v, segments, env, nil), true
		}
	}
	v, m := walk(v, segments)
	return v, m == nil
}

// exists is a bare operand: [?(@.x)] keeps nodes where @.x is present.
type exists struct{ operand operand }

func (e exists) test(node, root any, env *Env) bool {
	_, ok := e.operand.value(node, root, env)
	return ok
}

type not struct{ expr filterExpr }

func (n not) test(node, root any, env *Env) bool { return !n.expr.test(node, root, env) }

type and struct{ left, right filterExpr }

func (a and) test(node, root any, env *Env) bool {
	return a.left.test(node, root, env) && a.right.test(node, root, env)
}

type or struct{ left, right filterExpr }

func (o or) test(node, root any, env *Env) bool {
	return o.left.test(node, root, env) || o.right.test(node, root, env)
}

type comparison struct {
	op          string
	left, right operand
}

func (c comparison) test(node, root any, env *Env) bool {
	l, lok := c.left.value(node, root, env)
	r, rok := c.right.value(node, root, env)
	if c.op == "!=" {
		return !(lok && rok && reflect.DeepEqual(l, r))
	}
	if !lok || !rok {
		return false
	}
	switch c.op {
	case "==":
		return reflect.DeepEqual(l, r)
	case "<", "<=", ">", ">=":
		cmp, ok := order(l, r)
		return ok && holds(c.op, cmp)
	}
	return false
}

// order compares two numbers or two strings.
func order(l, r any) (int, bool) {
	switch l := l.(type) {
	case float64:
		if r, ok := r.(float64); ok {
			return compare(l, r), true
		}
	case string:
		if r, ok := r.(string); ok {
			return compare(l, r), true
		}
	}
	return 0, false
}

func compare[T float64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func holds(op string, cmp int) bool {
	switch op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

// matches is @.x =~ /regex/.
type matches struct {
	operand operand
	re      *regexp.Regexp
}

func (m matches) test(node, root any, env *Env) bool {
	v, ok := m.operand.value(node, root, env)
	s, isString := v.(string)
	return ok && isString && m.re.MatchString(s)
}
