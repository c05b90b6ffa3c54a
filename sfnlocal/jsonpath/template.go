package jsonpath

import (
	"fmt"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Template is a compiled payload template (Parameters, ResultSelector, ItemSelector,
// Assign): a JSON value in which object keys ending in ".$" hold an Expression whose
// value replaces them, under the key without ".$".
type Template struct {
	root templateNode
}

type templateNode interface {
	eval(input any, env *Env) (any, error)
}

// CompileTemplate compiles a template, a value of package jsonvalue. The value it
// builds keeps the template's order.
func CompileTemplate(template any) (*Template, error) {
	root, err := compileNode(template, "")
	if err != nil {
		return nil, err
	}
	return &Template{root: root}, nil
}

// Eval builds the template's value for input. The result is new down to every object
// and array the template writes; values taken from input are shared, not copied.
func (t *Template) Eval(input any, env *Env) (any, error) {
	return t.root.eval(input, env)
}

// TemplateError is a template that cannot be compiled; location is a JSON pointer.
type TemplateError struct {
	Location string
	Err      error
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("invalid payload template at %q: %v", e.Location, e.Err)
}

func (e *TemplateError) Unwrap() error { return e.Err }

func compileNode(v any, location string) (templateNode, error) {
	switch v := v.(type) {
	case *jsonvalue.Object:
		return compileObject(v, location)
	case []any:
		items := make(arrayNode, len(v))
		for i, item := range v {
			node, err := compileNode(item, fmt.Sprintf("%s/%d", location, i))
			if err != nil {
				return nil, err
			}
			items[i] = node
		}
		return items, nil
	}
	return scalarNode{v}, nil
}

func compileObject(m *jsonvalue.Object, location string) (templateNode, error) {
	obj := objectNode{keys: make([]string, 0, m.Len()), values: make([]templateNode, 0, m.Len())}
	seen := make(map[string]bool, m.Len())
	for _, member := range m.Members() {
		key := member.Key
		here := location + "/" + escapePointer(key)
		name, dynamic := strings.CutSuffix(key, ".$")
		if seen[name] {
			return nil, &TemplateError{here, fmt.Errorf("the field %q is given twice, with and without \".$\"", name)}
		}
		seen[name] = true
		var node templateNode
		var err error
		if dynamic {
			node, err = compileDynamic(key, member.Value)
		} else {
			node, err = compileNode(member.Value, here)
		}
		if err != nil {
			return nil, &TemplateError{here, err}
		}
		obj.keys = append(obj.keys, name)
		obj.values = append(obj.values, node)
	}
	return obj, nil
}

func compileDynamic(key string, v any) (templateNode, error) {
	text, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("the value of %q must be a JSONPath or an intrinsic function call", key)
	}
	expr, err := CompileExpression(text)
	if err != nil {
		return nil, err
	}
	return expressionNode{field: key, expr: expr}, nil
}

func escapePointer(key string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

type scalarNode struct{ v any }

func (n scalarNode) eval(any, *Env) (any, error) { return n.v, nil }

type arrayNode []templateNode

func (n arrayNode) eval(input any, env *Env) (any, error) {
	out := make([]any, len(n))
	for i, item := range n {
		v, err := item.eval(input, env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

type objectNode struct {
	keys   []string
	values []templateNode
}

func (n objectNode) eval(input any, env *Env) (any, error) {
	out := jsonvalue.NewObject(len(n.keys))
	for i, key := range n.keys {
		v, err := n.values[i].eval(input, env)
		if err != nil {
			return nil, err
		}
		out.Set(key, v)
	}
	return out, nil
}

type expressionNode struct {
	field string
	expr  *Expression
}

func (n expressionNode) eval(input any, env *Env) (any, error) {
	return n.expr.Eval(n.field, input, env)
}
