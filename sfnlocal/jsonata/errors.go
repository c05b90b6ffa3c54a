package jsonata

import (
	"fmt"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// The causes below follow AWS's wording; the interpreter prefixes them with "An error
// occurred while executing the state 'X' (entered at the event id #N). ".

func fieldClause(field string) string {
	if field == "" {
		return ""
	}
	return fmt.Sprintf(" specified for the field '%s'", field)
}

func undefinedResultError(source, field string) error {
	return failure.New(failure.QueryEvaluationError,
		"The JSONata expression '%s'%s returned nothing (undefined).", source, fieldClause(field))
}

func unsupportedResultError(source, field string) error {
	return failure.New(failure.QueryEvaluationError,
		"The JSONata expression '%s'%s returned an unsupported result type.", source, fieldClause(field))
}

func evaluationError(source, field string, err error) error {
	return failure.New(failure.QueryEvaluationError,
		"The JSONata expression '%s'%s threw an error during evaluation. %v", source, fieldClause(field), err)
}
