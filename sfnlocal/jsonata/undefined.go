package jsonata

// undefinedValue is JSONata's "no value". It has its own type so that it can never be
// mistaken for JSON null, which AWS treats as a value.
type undefinedValue struct{}

func (undefinedValue) String() string { return "undefined" }

// Undefined is what Expression.Evaluate returns when an expression yields nothing (a
// missing field, an empty sequence...).
var Undefined any = undefinedValue{}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool {
	_, ok := v.(undefinedValue)
	return ok
}
