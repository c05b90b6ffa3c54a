package jsonvalue

// Equal reports whether a and b are the same JSON value. Objects are equal when they
// have the same members, whatever their order, as JSON (and AWS's Jackson) compares
// them.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for _, m := range x.Members() {
			other, found := y.Get(m.Key)
			if !found || !Equal(m.Value, other) {
				return false
			}
		}
		return true
	}
	return false
}
