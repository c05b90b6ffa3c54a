package jsonpath

import "github.com/faresaga/faresaga/sfnlocal/intrinsic"

// jsonText is how AWS quotes a value in messages: compact JSON.
func jsonText(v any) string { return intrinsic.JSONText(v) }
