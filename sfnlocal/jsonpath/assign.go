package jsonpath

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Assignment is a compiled Assign field of a JSONPath state: variable names mapped to
// literals or, under "name.$", to expressions.
type Assignment struct {
	template *Template
}

// CompileAssign compiles an Assign object, checking its variable names.
func CompileAssign(assign *jsonvalue.Object) (*Assignment, error) {
	for _, m := range assign.Members() {
		name := strings.TrimSuffix(m.Key, ".$")
		if !isVariableName(name) {
			return nil, fmt.Errorf("invalid variable name %q in Assign: it must start with a letter or \"_\" and contain only letters, digits and \"_\"", name)
		}
	}
	t, err := CompileTemplate(assign)
	if err != nil {
		return nil, err
	}
	return &Assignment{template: t}, nil
}

// Eval returns the new value of every variable, in the order Assign lists them. It only
// reads: the caller assigns them all at once, after every expression has been
// evaluated, as AWS does.
func (a *Assignment) Eval(input any, env *Env) (*jsonvalue.Object, error) {
	v, err := a.template.Eval(input, env)
	if err != nil {
		return nil, err
	}
	return v.(*jsonvalue.Object), nil
}

func isVariableName(name string) bool {
	if name == "" || !isVariableStart(name) {
		return false
	}
	for _, r := range name {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return utf8.ValidString(name)
}
