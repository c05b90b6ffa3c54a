// Package jsonata evaluates the JSONata expressions of Amazon States Language definitions
// ("{% ... %}" strings in JSONata states) the way AWS Step Functions does.
//
// It wraps github.com/blues/jsonata-go (JSONata 1.5-era semantics; AWS runs jsonata-js 2.0.6),
// chosen by measurement against the JSONata documentation and the AWS-recorded conformance
// cases: see LIBRARY.md beside this file for the figures and the known divergences. On top of
// the library it provides:
//
//   - the functions Step Functions adds: $partition, $range, $hash, $random (seedable), $uuid
//     and $parse, with $random and $uuid injectable through Sources;
//   - $states and workflow variables bound per evaluation, concurrently and without
//     re-compiling;
//   - values in and out as encoding/json decodes them, with Undefined distinct from null;
//   - templates: JSON values with expressions inside, failing like AWS when an expression
//     yields nothing;
//   - States.QueryEvaluationError failures with AWS's wording, and no panics: the library's are
//     recovered and reported as errors;
//   - /* */ comments, which JSONata 2.x accepts and the library does not.
package jsonata
