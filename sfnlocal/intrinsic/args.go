package intrinsic

import (
	"math"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// invalidArgument is the failure for an argument of the wrong type or out of range.
func invalidArgument(call *Call, format string, args ...any) error {
	return failure.New(failure.IntrinsicFailure, "Invalid arguments in "+call.name+": "+format, args...)
}

// describe names a value in an error message: its JSON text, shortened.
func describe(v any) string {
	const limit = 100
	s := JSONText(v)
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}

func stringArg(call *Call, args []any, i int, role string) (string, error) {
	s, ok := args[i].(string)
	if !ok {
		return "", invalidArgument(call, "the %s must be a string, got %s", role, describe(args[i]))
	}
	return s, nil
}

func arrayArg(call *Call, args []any, i int, role string) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, invalidArgument(call, "the %s must be an array, got %s", role, describe(args[i]))
	}
	return a, nil
}

func objectArg(call *Call, args []any, i int, role string) (*jsonvalue.Object, error) {
	m, ok := args[i].(*jsonvalue.Object)
	if !ok {
		return nil, invalidArgument(call, "the %s must be a JSON object, got %s", role, describe(args[i]))
	}
	return m, nil
}

// integerArg accepts only numbers without a fractional part.
func integerArg(call *Call, args []any, i int, role string) (int64, error) {
	f, ok := args[i].(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, invalidArgument(call, "the %s must be an integer, got %s", role, describe(args[i]))
	}
	return int64(f), nil
}

// roundedArg accepts any number and rounds it half up, as Java's Math.round does:
// AWS rounds the arguments of States.MathAdd and States.MathRandom that way
// (recorded: MathAdd(-1.5, 0) is -1, MathAdd(2.5, 0) is 3).
func roundedArg(call *Call, args []any, i int, role string) (int64, error) {
	f, ok := args[i].(float64)
	if !ok || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return 0, invalidArgument(call, "the %s must be a number, got %s", role, describe(args[i]))
	}
	return int64(math.Floor(f + 0.5)), nil
}
