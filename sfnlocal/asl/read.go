package asl

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// parser accumulates diagnostics while it builds the model, so one pass reports every
// problem instead of stopping at the first.
type parser struct {
	diags       []Diagnostic
	topLanguage QueryLanguage
	// stateNames maps each state name to where it was first defined: AWS wants names unique
	// across the whole machine, nested scopes included.
	stateNames map[string]string
}

func (p *parser) report(severity Severity, code Code, loc, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{Severity: severity, Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (p *parser) errorAt(code Code, loc, format string, args ...any) {
	p.report(SeverityError, code, loc, format, args...)
}

func (p *parser) schemaError(loc, format string, args ...any) {
	p.errorAt(CodeSchemaValidation, loc, format, args...)
}

func (p *parser) wrongKind(o *object, key, want string) {
	p.schemaError(o.at(key), "field %q must be %s, not %s", key, want, jsonKind(o.fields[key]))
}

// decode reads raw as an object at loc, reporting a non-object as a schema error and
// repeated keys as duplicateCode.
func (p *parser) decode(raw json.RawMessage, loc, what string, duplicateCode Code) *object {
	o, err := decodeObject(raw, loc)
	if err != nil {
		p.schemaError(loc, "%s must be a JSON object, not %s", what, jsonKind(raw))
		return nil
	}
	for _, key := range o.duplicates {
		p.errorAt(duplicateCode, o.at(key), "%q appears more than once", key)
	}
	return o
}

// rejectUnknown reports every field of o that allowed does not list: AWS refuses unknown
// fields rather than ignoring them.
func (p *parser) rejectUnknown(o *object, allowed ...string) {
	for _, key := range o.keys {
		if !slices.Contains(allowed, key) {
			p.schemaError(o.at(key), "the field %q is not supported by Step Functions", key)
		}
	}
}

func (p *parser) requireField(o *object, key string) bool {
	if o.has(key) {
		return true
	}
	p.schemaError(o.loc, "missing required field %q", key)
	return false
}

func (p *parser) stringField(o *object, key string) (string, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return "", false
	}
	var s string
	if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
		p.wrongKind(o, key, "a string")
		return "", false
	}
	return s, true
}

func (p *parser) boolField(o *object, key string) (bool, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return false, false
	}
	var b bool
	if jsonKind(raw) != "boolean" || json.Unmarshal(raw, &b) != nil {
		p.wrongKind(o, key, "a boolean")
		return false, false
	}
	return b, true
}

func (p *parser) numberField(o *object, key string) (float64, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return 0, false
	}
	var f float64
	if jsonKind(raw) != "number" || json.Unmarshal(raw, &f) != nil {
		p.wrongKind(o, key, "a number")
		return 0, false
	}
	return f, true
}

// integerField accepts integral numbers only; 2.0 counts, 2.5 does not.
func (p *parser) integerField(o *object, key string) (int64, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return 0, false
	}
	if jsonKind(raw) == "number" {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	}
	p.wrongKind(o, key, "an integer")
	return 0, false
}

func (p *parser) arrayField(o *object, key string) ([]json.RawMessage, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return nil, false
	}
	var items []json.RawMessage
	if jsonKind(raw) != "array" || json.Unmarshal(raw, &items) != nil {
		p.wrongKind(o, key, "an array")
		return nil, false
	}
	return items, true
}

func (p *parser) stringArrayField(o *object, key string) ([]string, bool) {
	items, ok := p.arrayField(o, key)
	if !ok {
		return nil, false
	}
	values := make([]string, 0, len(items))
	for i, item := range items {
		var s string
		if jsonKind(item) != "string" || json.Unmarshal(item, &s) != nil {
			p.schemaError(pointer(o.at(key), i), "must be a string, not %s", jsonKind(item))
			return nil, false
		}
		values = append(values, s)
	}
	return values, true
}

// objectField reads a nested object the model decodes further.
func (p *parser) objectField(o *object, key string) (*object, bool) {
	raw, ok := o.fields[key]
	if !ok {
		return nil, false
	}
	if jsonKind(raw) != "object" {
		p.wrongKind(o, key, "an object")
		return nil, false
	}
	nested := p.decode(raw, o.at(key), fmt.Sprintf("field %q", key), CodeSchemaValidation)
	return nested, nested != nil
}

// rawObjectField keeps an object the interpreter will evaluate (a payload template, Assign…).
func (p *parser) rawObjectField(o *object, key string) json.RawMessage {
	raw, ok := o.fields[key]
	if !ok {
		return nil
	}
	if jsonKind(raw) != "object" {
		p.wrongKind(o, key, "an object")
		return nil
	}
	return raw
}
