package jsonata

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Template is an ASL field value in which every string "{% ... %}" is an expression: Arguments,
// Output, Assign, Items, ItemSelector, Condition, TimeoutSeconds... It is safe for concurrent use.
type Template struct {
	root     node
	builtins []string // the library's built-ins its expressions name
	names    []string // every $name its expressions mention
}

// TemplateOption adjusts CompileTemplate.
type TemplateOption func(*templateConfig)

type templateConfig struct {
	field string
}

// InField names the ASL field the template is the value of ("Output", "Assign"...). Causes
// then locate an expression the way AWS does: 'Assign/result', 'Output/error'.
func InField(name string) TemplateOption {
	return func(c *templateConfig) { c.field = name }
}

// CompileTemplate compiles every expression in value, a value of package jsonvalue. A bad
// expression is a definition error. Objects the template writes keep its order.
func CompileTemplate(value any, opts ...TemplateOption) (*Template, error) {
	var cfg templateConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	t := &Template{}
	root, err := compileNode(value, cfg.field, t)
	if err != nil {
		return nil, err
	}
	t.root = root
	return t, nil
}

// Evaluate builds the value. Values without expressions are shared with the template and with
// the bindings ($states.input comes out as the very map that went in): treat results as
// read-only. An expression anywhere that yields nothing fails the evaluation, as on AWS, with
// States.QueryEvaluationError.
func (t *Template) Evaluate(b Bindings) (any, error) {
	if c, ok := t.root.(constant); ok {
		return c.value, nil // no expression: skip building the scope
	}
	return t.root.evaluate(b.scope(t.builtins, t.names))
}

// node is one compiled part of a template.
type node interface {
	evaluate(sc *scope) (any, error)
}

// compileNode compiles value found at path (slash-separated, as in AWS causes).
func compileNode(value any, path string, t *Template) (node, error) {
	switch v := value.(type) {
	case string:
		if !IsExpression(v) {
			return constant{v}, nil
		}
		e, err := Compile(v)
		if err != nil {
			return nil, locate(err, path)
		}
		for _, name := range e.builtins {
			if !slices.Contains(t.builtins, name) {
				t.builtins = append(t.builtins, name)
			}
		}
		for _, name := range e.names {
			if !slices.Contains(t.names, name) {
				t.names = append(t.names, name)
			}
		}
		return expressionNode{expr: e, path: path}, nil
	case *jsonvalue.Object:
		obj := objectNode{fields: make([]objectField, 0, v.Len())}
		dynamic := false
		for _, m := range v.Members() {
			key, item := m.Key, m.Value
			n, err := compileNode(item, join(path, key), t)
			if err != nil {
				return nil, err
			}
			_, isConstant := n.(constant)
			dynamic = dynamic || !isConstant
			obj.fields = append(obj.fields, objectField{key: key, value: n})
		}
		if !dynamic {
			return constant{v}, nil
		}
		return obj, nil
	case []any:
		arr := arrayNode{items: make([]node, len(v))}
		dynamic := false
		for i, item := range v {
			n, err := compileNode(item, join(path, strconv.Itoa(i)), t)
			if err != nil {
				return nil, err
			}
			_, isConstant := n.(constant)
			dynamic = dynamic || !isConstant
			arr.items[i] = n
		}
		if !dynamic {
			return constant{v}, nil
		}
		return arr, nil
	case nil, bool, float64:
		return constant{v}, nil
	}
	return nil, fmt.Errorf("%s: a template holds JSON values only, not %T", describe(path), value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func describe(path string) string {
	if path == "" {
		return "template"
	}
	return "field '" + path + "'"
}

func locate(err error, path string) error {
	if path == "" {
		return err
	}
	return fmt.Errorf("%s: %w", describe(path), err)
}

type constant struct{ value any }

func (c constant) evaluate(*scope) (any, error) { return c.value, nil }

type expressionNode struct {
	expr *Expression
	path string
}

func (n expressionNode) evaluate(sc *scope) (any, error) {
	v, err := n.expr.evaluate(sc, n.path)
	if err == nil && IsUndefined(v) {
		return nil, undefinedResultError(n.expr.source, n.path)
	}
	return v, err
}

type objectField struct {
	key   string
	value node
}

type objectNode struct{ fields []objectField }

func (n objectNode) evaluate(sc *scope) (any, error) {
	out := jsonvalue.NewObject(len(n.fields))
	for _, f := range n.fields {
		v, err := f.value.evaluate(sc)
		if err != nil {
			return nil, err
		}
		out.Set(f.key, v)
	}
	return out, nil
}

type arrayNode struct{ items []node }

func (n arrayNode) evaluate(sc *scope) (any, error) {
	out := make([]any, len(n.items))
	for i, item := range n.items {
		v, err := item.evaluate(sc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
