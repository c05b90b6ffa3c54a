package jsonpath

import "github.com/faresaga/faresaga/sfnlocal/jsonvalue"

// collect appends to out every node that segments select from v; root is what "$"
// means inside filters. Objects are visited in document order, as AWS does.
func collect(root, v any, segments []segment, env *Env, out []any) []any {
	if len(segments) == 0 {
		return append(out, v)
	}
	s := &segments[0]
	if s.deep {
		return collectDeep(root, v, s, segments[1:], env, out)
	}
	return apply(root, v, s, segments[1:], env, out)
}

// collectDeep applies s to v and to every descendant of v, parents first.
func collectDeep(root, v any, s *segment, rest []segment, env *Env, out []any) []any {
	out = apply(root, v, s, rest, env, out)
	switch v := v.(type) {
	case *jsonvalue.Object:
		for _, m := range v.Members() {
			out = collectDeep(root, m.Value, s, rest, env, out)
		}
	case []any:
		for _, item := range v {
			out = collectDeep(root, item, s, rest, env, out)
		}
	}
	return out
}

// apply applies one step (ignoring its deep flag) to v and continues with rest.
func apply(root, v any, s *segment, rest []segment, env *Env, out []any) []any {
	switch s.kind {
	case segName:
		if m, ok := v.(*jsonvalue.Object); ok {
			if child, ok := m.Get(s.name); ok {
				out = collect(root, child, rest, env, out)
			}
		}
	case segNames:
		if m, ok := v.(*jsonvalue.Object); ok {
			for _, name := range s.names {
				if child, ok := m.Get(name); ok {
					out = collect(root, child, rest, env, out)
				}
			}
		}
	case segIndex:
		out = applyIndexes(root, v, []int{s.index}, rest, env, out)
	case segIndexes:
		out = applyIndexes(root, v, s.indexes, rest, env, out)
	case segWildcard:
		out = applyToChildren(root, v, rest, env, out, nil)
	case segSlice:
		if a, ok := v.([]any); ok {
			from, to := s.slice.resolve(len(a))
			for _, item := range a[from:to] {
				out = collect(root, item, rest, env, out)
			}
		}
	case segFilter:
		out = applyFilter(root, v, s.filter, rest, env, out)
	}
	return out
}

func applyIndexes(root, v any, indexes []int, rest []segment, env *Env, out []any) []any {
	a, ok := v.([]any)
	if !ok {
		return out
	}
	for _, idx := range indexes {
		if idx < 0 {
			idx += len(a)
		}
		if idx >= 0 && idx < len(a) {
			out = collect(root, a[idx], rest, env, out)
		}
	}
	return out
}

// applyToChildren continues with every element of an array or value of an object that
// keep accepts (all of them when keep is nil).
func applyToChildren(root, v any, rest []segment, env *Env, out []any, keep func(any) bool) []any {
	visit := func(child any) {
		if keep == nil || keep(child) {
			out = collect(root, child, rest, env, out)
		}
	}
	switch v := v.(type) {
	case *jsonvalue.Object:
		for _, m := range v.Members() {
			visit(m.Value)
		}
	case []any:
		for _, item := range v {
			visit(item)
		}
	}
	return out
}

// applyFilter keeps the elements of an array that match; applied to an object it tests
// the object itself, as Jayway does.
func applyFilter(root, v any, f filterExpr, rest []segment, env *Env, out []any) []any {
	match := func(node any) bool { return f.test(node, root, env) }
	if m, ok := v.(*jsonvalue.Object); ok {
		if match(m) {
			out = collect(root, m, rest, env, out)
		}
		return out
	}
	if _, ok := v.([]any); ok {
		return applyToChildren(root, v, rest, env, out, match)
	}
	return out
}
