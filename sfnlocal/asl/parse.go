package asl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Limits AWS enforces on the definition itself.
const (
	maxStateNameLength = 80
	maxTimeoutSeconds  = 99999999
)

// Parse reads and validates a state machine definition. It returns the model and any
// warnings, or an *InvalidDefinitionError listing every error found (with the warnings
// still returned beside it).
func Parse(data []byte) (*Definition, []Diagnostic, error) {
	p := &parser{stateNames: map[string]string{}}
	def := p.parseDefinition(data)
	var errs, warnings []Diagnostic
	for _, d := range p.diags {
		if d.Severity == SeverityError {
			errs = append(errs, d)
		} else {
			warnings = append(warnings, d)
		}
	}
	if len(errs) > 0 {
		return nil, warnings, &InvalidDefinitionError{Diagnostics: errs}
	}
	return def, warnings, nil
}

func (p *parser) parseDefinition(data []byte) *Definition {
	if len(bytes.TrimSpace(data)) == 0 {
		p.errorAt(CodeMissingDescription, "", "the definition is empty")
		return nil
	}
	var syntax any
	if err := json.Unmarshal(data, &syntax); err != nil {
		p.errorAt(CodeInvalidJSON, "", "the definition is not valid JSON: %v", err)
		return nil
	}
	o := p.decode(data, "", "the definition", CodeSchemaValidation)
	if o == nil {
		return nil
	}
	p.rejectUnknown(o, "Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage")
	p.topLanguage = JSONPath
	if language, ok := p.queryLanguageField(o); ok {
		p.topLanguage = language
	}
	def := p.parseScope(o, p.topLanguage)
	if timeout, ok := p.integerField(o, "TimeoutSeconds"); ok {
		p.checkRange(o.at("TimeoutSeconds"), "TimeoutSeconds", float64(timeout), 1, maxTimeoutSeconds)
		def.TimeoutSeconds = timeout
	}
	if version, ok := p.stringField(o, "Version"); ok {
		if version != "1.0" {
			p.schemaError(o.at("Version"), "Version must be \"1.0\", not %q", version)
		}
		def.Version = version
	}
	return def
}

func (p *parser) queryLanguageField(o *object) (QueryLanguage, bool) {
	value, ok := p.stringField(o, "QueryLanguage")
	if !ok {
		return "", false
	}
	if language := QueryLanguage(value); language == JSONPath || language == JSONata {
		return language, true
	}
	p.schemaError(o.at("QueryLanguage"), "QueryLanguage must be %q or %q, not %q", JSONPath, JSONata, value)
	return "", false
}

// parseBranch reads a Parallel branch.
func (p *parser) parseBranch(raw json.RawMessage, loc string) *Definition {
	o := p.decode(raw, loc, "a branch", CodeSchemaValidation)
	if o == nil {
		return nil
	}
	p.rejectUnknown(o, "Comment", "StartAt", "States")
	return p.parseScope(o, p.topLanguage)
}

// parseScope reads what every scope has (Comment, StartAt, States) and checks its
// transitions. Nested scopes take the machine's language, not their parent state's.
func (p *parser) parseScope(o *object, language QueryLanguage) *Definition {
	def := &Definition{QueryLanguage: language, States: map[string]*State{}}
	def.Comment, _ = p.stringField(o, "Comment")
	if p.requireField(o, "StartAt") {
		def.StartAt, _ = p.stringField(o, "StartAt")
	}
	if !p.requireField(o, "States") {
		return def
	}
	states := p.decode(o.fields["States"], o.at("States"), "States", CodeDuplicateStateName)
	if states == nil {
		return def
	}
	if len(states.keys) == 0 {
		p.schemaError(states.loc, "States must define at least one state")
	}
	for _, name := range states.keys {
		loc := states.at(name)
		p.checkStateName(name, loc)
		if state := p.parseState(name, states.fields[name], loc, language); state != nil {
			def.States[name] = state
			def.StateNames = append(def.StateNames, name)
		}
	}
	p.checkTransitions(def, o.loc)
	return def
}

func (p *parser) checkStateName(name, loc string) {
	if length := utf8.RuneCountInString(name); length == 0 || length > maxStateNameLength {
		p.errorAt(CodeInvalidStateName, loc, "state name %q must be 1 to %d characters long", name, maxStateNameLength)
	}
	if first, seen := p.stateNames[name]; seen {
		p.errorAt(CodeDuplicateStateName, loc, "state name %q is already used at %s", name, first)
		return
	}
	p.stateNames[name] = loc
}

// checkRange reports a number outside [low, high].
func (p *parser) checkRange(loc, field string, value, low, high float64) bool {
	if value < low || value > high {
		p.schemaError(loc, "%s must be between %s and %s, not %s", field, formatNumber(low), formatNumber(high), formatNumber(value))
		return false
	}
	return true
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
