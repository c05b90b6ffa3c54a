package jsonpath

import (
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// The steps below take the compiled field, or nil when the definition sets the field to
// null; an absent field means Root ("$").

// ApplyInputPath selects the part of the raw input a state works on; a null InputPath
// gives {}.
func ApplyInputPath(p *Path, input any, env *Env) (any, error) {
	return selectOrEmpty(p, input, env)
}

// ApplyOutputPath selects the part of the state output passed on; a null OutputPath
// gives {}.
func ApplyOutputPath(p *Path, output any, env *Env) (any, error) {
	return selectOrEmpty(p, output, env)
}

func selectOrEmpty(p *Path, v any, env *Env) (any, error) {
	if p == nil {
		return jsonvalue.NewObject(0), nil
	}
	return p.Eval(v, env)
}

// ApplyResultPath places result into the raw input: a null ResultPath discards the
// result, "$" replaces the input, "$.a.b" sets that field, creating the objects on the
// way. The input is not modified: only the objects on the path are copied. Placing into
// something that is not an object fails with States.ResultPathMatchFailure.
func ApplyResultPath(p *Path, input, result any) (any, error) {
	if p == nil {
		return input, nil
	}
	if !p.IsReference() {
		return nil, failure.New(failure.ResultPathMatchFailure, "ResultPath %s is not a reference path", p.text)
	}
	out, ok := place(input, true, p.segments, result)
	if !ok {
		return nil, failure.New(failure.ResultPathMatchFailure, "Unable to apply ReferencePath %s to input %s", p.text, jsonText(input))
	}
	return out, nil
}

// place returns a copy of v with value at segments. present tells an absent field,
// which becomes a new object, from a null one, which cannot hold fields.
func place(v any, present bool, segments []segment, value any) (any, bool) {
	if len(segments) == 0 {
		return value, true
	}
	s := &segments[0]
	switch s.kind {
	case segName:
		m, ok := v.(*jsonvalue.Object)
		if present && !ok {
			return nil, false
		}
		child, exists := m.Get(s.name)
		placed, ok := place(child, exists, segments[1:], value)
		if !ok {
			return nil, false
		}
		if !present {
			return jsonvalue.ObjectOf(s.name, placed), true
		}
		return m.With(s.name, placed), true
	case segIndex:
		a, ok := v.([]any)
		if !ok {
			return nil, false
		}
		idx := s.index
		if idx < 0 {
			idx += len(a)
		}
		if idx < 0 || idx >= len(a) {
			return nil, false
		}
		placed, ok := place(a[idx], true, segments[1:], value)
		if !ok {
			return nil, false
		}
		out := append([]any(nil), a...)
		out[idx] = placed
		return out, true
	}
	return nil, false
}
