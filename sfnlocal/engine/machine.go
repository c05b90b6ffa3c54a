package engine

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Machine is a parsed, validated and compiled state machine: every path, template and
// expression is compiled once here, so running a state only evaluates.
type Machine struct {
	Definition *asl.Definition
	// Source is the definition text as given.
	Source string
	root   *scope
	states int // how many, nested ones included
	// historyLength is the longest history an execution of the machine has had so
	// far: the room a new execution's history starts with.
	historyLength atomic.Int64
}

// noteHistoryLength remembers n if it is the longest history so far.
func (m *Machine) noteHistoryLength(n int) {
	for {
		current := m.historyLength.Load()
		if int64(n) <= current || m.historyLength.CompareAndSwap(current, int64(n)) {
			return
		}
	}
}

// scope is a compiled Definition: the machine, a Parallel branch or a Map processor.
type scope struct {
	startAt string
	states  map[string]*state
}

// Compile parses, validates and compiles a definition. Its error is an
// *asl.InvalidDefinitionError for a definition AWS would refuse, or names the path,
// template or expression that does not compile.
func Compile(definition []byte) (*Machine, error) {
	def, _, err := asl.Parse(definition)
	if err != nil {
		return nil, err
	}
	count := 0
	root, err := compileScope(def, &count)
	if err != nil {
		return nil, err
	}
	return &Machine{Definition: def, Source: string(definition), root: root, states: count}, nil
}

// compileScope compiles a scope's states, numbering them from *count on: state names
// are unique in a whole machine, nested scopes included.
func compileScope(def *asl.Definition, count *int) (*scope, error) {
	sc := &scope{startAt: def.StartAt, states: make(map[string]*state, len(def.States))}
	for _, name := range def.StateNames {
		st, err := compileState(def.States[name], count)
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", name, err)
		}
		sc.states[name] = st
	}
	return sc, nil
}

// decode turns a raw template into a value, objects in document order; nil when absent.
func decode(raw json.RawMessage) (any, bool, error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	v, err := jsonvalue.Parse(raw)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// optionalPath compiles an I/O path: absent means "$", null means nil (AWS's {} or
// "discard", depending on the field).
func optionalPath(p asl.OptionalPath, reference bool) (*jsonpath.Path, error) {
	switch {
	case !p.Set:
		return jsonpath.Root, nil
	case p.Null:
		return nil, nil
	case reference:
		return jsonpath.CompileReference(p.Path)
	}
	return jsonpath.Compile(p.Path)
}

func pathTemplate(raw json.RawMessage) (*jsonpath.Template, error) {
	v, ok, err := decode(raw)
	if err != nil || !ok {
		return nil, err
	}
	return jsonpath.CompileTemplate(v)
}

func jsonataTemplate(raw json.RawMessage, field string) (*jsonata.Template, error) {
	v, ok, err := decode(raw)
	if err != nil || !ok {
		return nil, err
	}
	return jsonata.CompileTemplate(v, jsonata.InField(field))
}

func pathAssign(raw json.RawMessage) (*jsonpath.Assignment, error) {
	v, ok, err := decode(raw)
	if err != nil || !ok {
		return nil, err
	}
	object, isObject := v.(*jsonvalue.Object)
	if !isObject {
		return nil, fmt.Errorf("Assign must be an object")
	}
	return jsonpath.CompileAssign(object)
}
