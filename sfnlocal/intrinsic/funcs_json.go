package intrinsic

import (
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

func stringToJSON(call *Call, args []any, _ *Env) (any, error) {
	s, err := stringArg(call, args, 0, "argument")
	if err != nil {
		return nil, err
	}
	// AWS turns a blank string into null rather than failing (recorded for "" and " ").
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := jsonvalue.ParseString(s)
	if err != nil {
		return nil, invalidArgument(call, "the argument is not valid JSON: %s", describe(s))
	}
	if f, ok := v.(float64); ok && f == 0 {
		v = 0.0 // "-0" parses as an integer zero on AWS, without a sign
	}
	return v, nil
}

func jsonToString(_ *Call, args []any, _ *Env) (any, error) {
	return JSONText(args[0]), nil
}

// jsonMerge merges the second object into the first, top-level keys only: AWS supports
// only the shallow mode, which the third argument must select with false.
func jsonMerge(call *Call, args []any, _ *Env) (any, error) {
	left, err := objectArg(call, args, 0, "first argument")
	if err != nil {
		return nil, err
	}
	right, err := objectArg(call, args, 1, "second argument")
	if err != nil {
		return nil, err
	}
	if deep, ok := args[2].(bool); !ok || deep {
		return nil, invalidArgument(call, "the third argument must be false: only shallow merging is supported, got %s", describe(args[2]))
	}
	merged := left.CloneWithRoom(right.Len())
	for _, m := range right.Members() {
		merged.Set(m.Key, m.Value)
	}
	return merged, nil
}
