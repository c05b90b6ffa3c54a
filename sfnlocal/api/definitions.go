package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// maxDefinitionBytes is AWS's limit on a definition: 1 MiB.
const maxDefinitionBytes = 1 << 20

func checkDefinitionSize(definition string) *apiError {
	if len(definition) > maxDefinitionBytes {
		return validationError("definition", "...", fmt.Sprintf("Member must have length less than or equal to %d", maxDefinitionBytes))
	}
	return nil
}

// compileDefinition compiles a definition for CreateStateMachine and UpdateStateMachine:
// a definition AWS would refuse is InvalidDefinition, listing every problem.
func compileDefinition(definition string) (*engine.Machine, *apiError) {
	if definition == "" {
		return nil, missingMember("definition")
	}
	if err := checkDefinitionSize(definition); err != nil {
		return nil, err
	}
	machine, err := engine.Compile([]byte(definition))
	if err == nil {
		return machine, nil
	}
	var invalid *asl.InvalidDefinitionError
	if errors.As(err, &invalid) {
		return nil, clientError(codeInvalidDefinition, "%s", invalid.Error())
	}
	// The engine compiles what the validator let through (paths, templates,
	// expressions); what it cannot compile, AWS would have refused too.
	return nil, clientError(codeInvalidDefinition, "Invalid State Machine Definition: '%s: %v'", asl.CodeSchemaValidation, err)
}

// diagnose is ValidateStateMachineDefinition's view of a definition: every error and
// warning, errors first.
func diagnose(definition string) []asl.Diagnostic {
	_, warnings, err := asl.Parse([]byte(definition))
	var invalid *asl.InvalidDefinitionError
	switch {
	case errors.As(err, &invalid):
		return append(append([]asl.Diagnostic(nil), invalid.Diagnostics...), warnings...)
	case err != nil:
		return append([]asl.Diagnostic{{Severity: asl.SeverityError, Code: asl.CodeSchemaValidation, Message: err.Error()}}, warnings...)
	}
	if _, err := engine.Compile([]byte(definition)); err != nil {
		return append([]asl.Diagnostic{{Severity: asl.SeverityError, Code: asl.CodeSchemaValidation, Message: err.Error()}}, warnings...)
	}
	return warnings
}

type validateDefinitionRequest struct {
	Definition string `json:"definition"`
	Type       string `json:"type"`
	Severity   string `json:"severity"`
	MaxResults int    `json:"maxResults"`
}

type diagnosticItem struct {
	Severity asl.Severity `json:"severity"`
	Code     asl.Code     `json:"code"`
	Message  string       `json:"message"`
	Location string       `json:"location,omitempty"`
}

type validateDefinitionResponse struct {
	Result      string           `json:"result"`
	Diagnostics []diagnosticItem `json:"diagnostics"`
	Truncated   bool             `json:"truncated"`
}

// maxDiagnostics is ValidateStateMachineDefinition's default and largest maxResults.
const maxDiagnostics = 100

func (s *Server) validateStateMachineDefinition(_ context.Context, in *validateDefinitionRequest) (any, *apiError) {
	if in.Definition == "" {
		return nil, missingMember("definition")
	}
	if err := checkDefinitionSize(in.Definition); err != nil {
		return nil, err
	}
	if _, err := checkMachineType(in.Type); err != nil {
		return nil, err
	}
	withWarnings := false
	switch in.Severity {
	case "", string(asl.SeverityError):
	case string(asl.SeverityWarning):
		withWarnings = true
	default:
		return nil, validationError("severity", in.Severity, "Member must satisfy enum value set: [ERROR, WARNING]")
	}
	limit := in.MaxResults
	if limit < 0 || limit > maxDiagnostics {
		return nil, validationError("maxResults", limit, "Member must have value between 0 and 100")
	}
	if limit == 0 {
		limit = maxDiagnostics
	}
	out := validateDefinitionResponse{Result: "OK", Diagnostics: []diagnosticItem{}}
	for _, d := range diagnose(in.Definition) {
		if d.Severity == asl.SeverityError {
			out.Result = "FAIL"
		} else if !withWarnings {
			continue
		}
		if len(out.Diagnostics) == limit {
			out.Truncated = true
			continue
		}
		out.Diagnostics = append(out.Diagnostics, diagnosticItem{Severity: d.Severity, Code: d.Code, Message: d.Message, Location: d.Location})
	}
	return out, nil
}
