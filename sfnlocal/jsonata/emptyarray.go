package jsonata

import (
	"github.com/blues/jsonata-go/jparse"
)

// fieldPath is an expression that is nothing but a variable followed by field names
// ($states.input.items, $order.lines). JSONata 2.x, which AWS runs, returns an empty
// array such a path lands on; the library we run on, a port of JSONata 1.x, turns it
// into undefined, which would fail a state AWS completes. Knowing the path lets the
// adapter tell that case apart.
type fieldPath struct {
	variable string
	fields   []string
}

// parseFieldPath returns the expression's field path, if it is one.
func parseFieldPath(src string) (*fieldPath, bool) {
	root, err := parseGuarded(src)
	if err != nil {
		return nil, false
	}
	path, ok := root.(*jparse.PathNode)
	if !ok || len(path.Steps) < 2 {
		return nil, false
	}
	variable, ok := path.Steps[0].(*jparse.VariableNode)
	if !ok || variable.Name == "" {
		return nil, false
	}
	fp := &fieldPath{variable: variable.Name}
	for _, step := range path.Steps[1:] {
		name, ok := step.(*jparse.NameNode)
		if !ok {
			return nil, false
		}
		fp.fields = append(fp.fields, name.Value)
	}
	return fp, true
}

func parseGuarded(src string) (root jparse.Node, err error) {
	defer recoverAsError(&err)
	return jparse.Parse(src)
}

// emptyArray reports whether the path, followed through the scope, ends on an empty array.
func (fp *fieldPath) emptyArray(scope map[string]any) bool {
	value, ok := scope[fp.variable]
	for _, field := range fp.fields {
		object, isObject := value.(map[string]any)
		if !ok || !isObject {
			return false
		}
		value, ok = object[field]
	}
	array, isArray := value.([]any)
	return ok && isArray && len(array) == 0
}
