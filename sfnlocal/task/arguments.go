package task

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Service integration arguments are checked at run time the way AWS checks them when
// the state machine is created, so a misspelt field fails instead of being ignored.

// argumentObject returns the arguments as a JSON object holding only allowed fields.
func argumentObject(arguments any, allowed map[string]bool) (*jsonvalue.Object, error) {
	args, ok := arguments.(*jsonvalue.Object)
	if !ok {
		return nil, failure.New(failure.Runtime, "The Task arguments must be a JSON object, not %s", jsonTypeName(arguments))
	}
	var unknown []string
	for _, m := range args.Members() {
		if !allowed[m.Key] {
			unknown = append(unknown, m.Key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, failure.New(failure.Runtime, "The field %q is not supported by Step Functions", unknown[0])
	}
	return args, nil
}

func requiredString(args *jsonvalue.Object, field string) (string, error) {
	s, err := optionalString(args, field)
	if err == nil && s == "" {
		return "", failure.New(failure.Runtime, "The field %q is required but was missing", field)
	}
	return s, err
}

func optionalString(args *jsonvalue.Object, field string) (string, error) {
	v, present := args.Get(field)
	if !present || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", failure.New(failure.Runtime, "The value for the field %q must be a STRING, not %s", field, jsonTypeName(v))
	}
	return s, nil
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a BOOLEAN"
	case float64, json.Number, int, int64:
		return "a NUMBER"
	case string:
		return "a STRING"
	case []any:
		return "an ARRAY"
	case *jsonvalue.Object:
		return "an OBJECT"
	}
	return fmt.Sprintf("a %T", v)
}

// marshalJSON encodes a value as Step Functions sends it: compact, objects in order,
// with <, > and & left as they are.
func marshalJSON(v any) ([]byte, error) {
	return jsonvalue.Append(nil, v), nil
}
