package asl

import (
	"fmt"
	"strings"
)

// Severity of a Diagnostic: an ERROR makes AWS refuse the definition, a WARNING does not.
type Severity string

// The severities ValidateStateMachineDefinition reports.
const (
	SeverityError   Severity = "ERROR"
	SeverityWarning Severity = "WARNING"
)

// Code names the kind of problem, with AWS's ValidateStateMachineDefinition codes where
// AWS has one.
type Code string

// Diagnostic codes.
const (
	CodeInvalidJSON             Code = "INVALID_JSON_DESCRIPTION"
	CodeMissingDescription      Code = "MISSING_DESCRIPTION"
	CodeSchemaValidation        Code = "SCHEMA_VALIDATION_FAILED"
	CodeInvalidResource         Code = "INVALID_RESOURCE"
	CodeMissingEndState         Code = "MISSING_END_STATE"
	CodeDuplicateStateName      Code = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName        Code = "INVALID_STATE_NAME"
	CodeMissingTransitionTarget Code = "MISSING_TRANSITION_TARGET"
	CodeUnreachableState        Code = "UNREACHABLE_STATE"
	CodeNoDollar                Code = "NO_DOLLAR"
	CodePassResultIsStatic      Code = "PASS_RESULT_IS_STATIC"
)

// Diagnostic is one problem found in a definition. Location is a JSON pointer into the
// definition, e.g. "/States/Foo/Retry/0/ErrorEquals".
type Diagnostic struct {
	Severity Severity
	Code     Code
	Message  string
	Location string
}

func (d Diagnostic) String() string {
	if d.Location == "" {
		return fmt.Sprintf("%s: %s", d.Code, d.Message)
	}
	return fmt.Sprintf("%s: %s at %s", d.Code, d.Message, d.Location)
}

// InvalidDefinitionError carries every ERROR diagnostic of a rejected definition. Its
// message reads like the InvalidDefinition error of CreateStateMachine.
type InvalidDefinitionError struct {
	Diagnostics []Diagnostic
}

func (e *InvalidDefinitionError) Error() string {
	parts := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		parts[i] = "'" + d.String() + "'"
	}
	return "Invalid State Machine Definition: " + strings.Join(parts, ", ")
}

// pointer appends a JSON-pointer token to loc, escaping it as RFC 6901 requires so state
// names with "/" or "~" still give an unambiguous location.
func pointer(loc string, token any) string {
	s := fmt.Sprint(token)
	s = strings.ReplaceAll(s, "~", "~0")
	s = strings.ReplaceAll(s, "/", "~1")
	return loc + "/" + s
}
