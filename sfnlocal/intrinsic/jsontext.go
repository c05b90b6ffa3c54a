package intrinsic

import "github.com/faresaga/faresaga/sfnlocal/jsonvalue"

// JSONText renders v as compact JSON the way AWS prints values: in States.JsonToString
// results, in the inputs quoted by error messages, and in execution histories. Objects
// keep their members' order; <, > and & are left alone.
func JSONText(v any) string { return jsonvalue.Text(v) }
