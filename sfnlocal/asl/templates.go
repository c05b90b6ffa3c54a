package asl

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
)

// templateField reads a payload template (Parameters, ResultSelector, ItemSelector, Assign).
// In JSONPath states a key ending in ".$" marks a value to evaluate, so its syntax is checked
// now; the values themselves are evaluated by the interpreter.
func (p *parser) templateField(o *object, key string, language QueryLanguage) json.RawMessage {
	raw := p.rawObjectField(o, key)
	if raw == nil || language != JSONPath {
		return raw
	}
	var tree any
	if json.Unmarshal(raw, &tree) == nil {
		p.checkTemplate(tree, o.at(key))
	}
	return raw
}

func (p *parser) checkTemplate(node any, loc string) {
	switch v := node.(type) {
	case map[string]any:
		for _, key := range slices.Sorted(maps.Keys(v)) {
			p.checkTemplateEntry(key, v[key], pointer(loc, key))
		}
	case []any:
		for i, child := range v {
			p.checkTemplate(child, pointer(loc, i))
		}
	}
}

func (p *parser) checkTemplateEntry(key string, value any, loc string) {
	text, isString := value.(string)
	if strings.HasSuffix(key, ".$") {
		if !isString || checkPath(text, pathOrIntrinsic) != nil {
			p.schemaError(loc, "the value of %q must be a JSONPath or an intrinsic function call", key)
		}
		return
	}
	if isString && looksLikePath(text) {
		p.report(SeverityWarning, CodeNoDollar, loc, "%q looks like a path but its key %q does not end in \".$\", so it stays a literal string", text, key)
	}
	p.checkTemplate(value, loc)
}

func looksLikePath(s string) bool {
	return strings.HasPrefix(s, "$.") || strings.HasPrefix(s, "$$.") || intrinsic.IsCall(s)
}

// warnAboutPathsInResult flags ".$" keys in a Pass Result: Result is never evaluated, a
// common mistake when Parameters was meant.
func (p *parser) warnAboutPathsInResult(o *object, result json.RawMessage) {
	var tree any
	if result == nil || json.Unmarshal(result, &tree) != nil {
		return
	}
	if hasPathKey(tree) {
		p.report(SeverityWarning, CodePassResultIsStatic, o.at("Result"), "Result is static: its \".$\" keys are not evaluated (use Parameters)")
	}
}

func hasPathKey(node any) bool {
	switch v := node.(type) {
	case map[string]any:
		for key, child := range v {
			if strings.HasSuffix(key, ".$") || hasPathKey(child) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, hasPathKey)
	}
	return false
}
