package jsonpath

// segKind is what one step of a path selects.
type segKind uint8

const (
	segName     segKind = iota // .name or ['name']
	segIndex                   // [n]; negative counts from the end
	segWildcard                // .* or [*]
	segSlice                   // [start:end]
	segNames                   // ['a','b']
	segIndexes                 // [1,2]
	segFilter                  // [?(...)]
)

// segment is one step of a path.
type segment struct {
	kind segKind
	// deep applies the step to the node and all its descendants (written "..").
	deep    bool
	name    string
	index   int
	names   []string
	indexes []int
	slice   sliceBounds
	filter  filterExpr
}

type sliceBounds struct {
	start, end       int
	hasStart, hasEnd bool
}

// resolve turns the bounds into a half-open range over an array of n items, negative
// bounds counting from the end as Jayway (AWS's JSONPath library) does.
func (s sliceBounds) resolve(n int) (int, int) {
	clamp := func(i int) int {
		if i < 0 {
			i += n
		}
		return max(0, min(i, n))
	}
	from, to := 0, n
	if s.hasStart {
		from = clamp(s.start)
	}
	if s.hasEnd {
		to = clamp(s.end)
	}
	return from, max(from, to)
}

// isDefinite reports whether the step selects at most one node.
func (s *segment) isDefinite() bool {
	return !s.deep && (s.kind == segName || s.kind == segIndex)
}
