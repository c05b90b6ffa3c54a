package jsonpath

import "github.com/faresaga/faresaga/sfnlocal/jsonvalue"

// walk follows a definite path. It allocates nothing when the path matches, which is
// the common case on every state transition.
func walk(v any, segments []segment) (any, *miss) {
	for i := range segments {
		s := &segments[i]
		switch s.kind {
		case segName:
			m, ok := v.(*jsonvalue.Object)
			if !ok {
				return nil, &miss{kind: missNotObject, at: i, found: v}
			}
			child, ok := m.Get(s.name)
			if !ok {
				if i == len(segments)-1 {
					return nil, &miss{kind: missLeaf, at: i}
				}
				return nil, &miss{kind: missProperty, at: i}
			}
			v = child
		case segIndex:
			a, ok := v.([]any)
			if !ok {
				return nil, &miss{kind: missNotArray, at: i, found: v}
			}
			idx := s.index
			if idx < 0 {
				idx += len(a)
			}
			if idx < 0 || idx >= len(a) {
				return nil, &miss{kind: missLeaf, at: i}
			}
			v = a[idx]
		}
	}
	return v, nil
}
