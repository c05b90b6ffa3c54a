// Package intrinsic parses and evaluates the Amazon States Language intrinsic functions
// (States.Format, States.Array, States.Hash, ...) that JSONPath states may use in ".$"
// template fields, ErrorPath and CausePath.
//
// An expression is parsed once into a tree (Parse) and evaluated many times (Call.Eval).
// Path arguments ($.x, $$.x, $var) are compiled by a PathCompiler the caller provides, so
// this package does not depend on any JSONPath implementation: the jsonpath package
// passes its own compiler and evaluates templates that contain calls.
package intrinsic
