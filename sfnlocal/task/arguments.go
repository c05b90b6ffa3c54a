package task

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// Service integration arguments are checked at run time the way AWS checks them when
// the state machine is created, so a misspelt field fails instead of being ignored.

// argumentObject returns the arguments as a JSON object holding only allowed fields.
func argumentObject(arguments any, allowed map[string]bool) (map[string]any, error) {
	args, ok := arguments.(map[string]any)
	if !ok {
		return nil, failure.New(failure.Runtime, "The Task arguments must be a JSON object, not %s", jsonTypeName(arguments))
	}
	var unknown []string
	for field := range args {
		if !allowed[field] {
			unknown = append(unknown, field)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, failure.New(failure.Runtime, "The field %q is not supported by Step Functions", unknown[0])
	}
	return args, nil
}

func requiredString(args map[string]any, field string) (string, error) {
	s, err := optionalString(args, field)
	if err == nil && s == "" {
		return "", failure.New(failure.Runtime, "The field %q is required but was missing", field)
	}
	return s, err
}

func optionalString(args map[string]any, field string) (string, error) {
	v, present := args[field]
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
	case map[string]any:
		return "an OBJECT"
	}
	return fmt.Sprintf("a %T", v)
}

// marshalJSON encodes a value as Step Functions sends it: compact, with <, > and &
// left as they are.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, failure.New(failure.Runtime, "cannot encode the Task arguments as JSON: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
