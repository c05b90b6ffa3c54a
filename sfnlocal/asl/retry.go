package asl

import (
	"slices"
)

// Retrier defaults and limits from the ASL specification and the Step Functions quotas.
const (
	defaultIntervalSeconds = 1
	defaultMaxAttempts     = 3
	defaultBackoffRate     = 2.0
	maxMaxDelaySeconds     = 31622400
	errorAll               = "States.ALL"
)

func (p *parser) parseRetry(state *object) []Retrier {
	items, _ := p.arrayField(state, "Retry")
	retriers := make([]Retrier, 0, len(items))
	for i, raw := range items {
		o := p.decode(raw, pointer(state.at("Retry"), i), "a retrier", CodeSchemaValidation)
		if o == nil {
			continue
		}
		p.rejectUnknown(o, "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment")
		r := Retrier{
			ErrorEquals:     p.errorEquals(o, i == len(items)-1),
			IntervalSeconds: p.integerInRange(o, "IntervalSeconds", defaultIntervalSeconds, 1, maxTimeoutSeconds),
			MaxAttempts:     p.integerInRange(o, "MaxAttempts", defaultMaxAttempts, 0, maxTimeoutSeconds),
			MaxDelaySeconds: p.integerInRange(o, "MaxDelaySeconds", 0, 1, maxMaxDelaySeconds),
			BackoffRate:     defaultBackoffRate,
			JitterStrategy:  "NONE",
		}
		if rate, ok := p.numberField(o, "BackoffRate"); ok && p.checkRange(o.at("BackoffRate"), "BackoffRate", rate, 1, maxTimeoutSeconds) {
			r.BackoffRate = rate
		}
		if jitter, ok := p.enumField(o, "JitterStrategy", "FULL", "NONE"); ok {
			r.JitterStrategy = jitter
		}
		r.Comment, _ = p.stringField(o, "Comment")
		retriers = append(retriers, r)
	}
	return retriers
}

// integerInRange reads an optional integer, giving fallback when it is absent or invalid.
func (p *parser) integerInRange(o *object, key string, fallback int64, low, high float64) int64 {
	value, ok := p.integerField(o, key)
	if !ok || !p.checkRange(o.at(key), key, float64(value), low, high) {
		return fallback
	}
	return value
}

// catcherOutputField is how a catcher shapes the error output: JSONata replaces ResultPath
// with Output.
var catcherOutputField = map[QueryLanguage]string{JSONPath: "ResultPath", JSONata: "Output"}

func (p *parser) parseCatch(state *object, language QueryLanguage) []Catcher {
	items, _ := p.arrayField(state, "Catch")
	catchers := make([]Catcher, 0, len(items))
	for i, raw := range items {
		o := p.decode(raw, pointer(state.at("Catch"), i), "a catcher", CodeSchemaValidation)
		if o == nil {
			continue
		}
		p.rejectUnknown(o, "ErrorEquals", "Next", "Assign", "Comment", catcherOutputField[language])
		c := Catcher{ErrorEquals: p.errorEquals(o, i == len(items)-1)}
		if p.requireField(o, "Next") {
			c.Next, _ = p.stringField(o, "Next")
		}
		c.ResultPath = p.optionalPathField(o, "ResultPath", referencePath)
		c.Output = o.fields["Output"]
		c.Assign = p.templateField(o, "Assign", language)
		c.Comment, _ = p.stringField(o, "Comment")
		catchers = append(catchers, c)
	}
	return catchers
}

// errorEquals reads a retrier's or catcher's ErrorEquals. States.ALL catches everything, so
// it must stand alone and come last or the rules after it could never apply.
func (p *parser) errorEquals(o *object, last bool) []string {
	if !p.requireField(o, "ErrorEquals") {
		return nil
	}
	names, ok := p.stringArrayField(o, "ErrorEquals")
	if !ok {
		return nil
	}
	loc := o.at("ErrorEquals")
	switch {
	case len(names) == 0:
		p.schemaError(loc, "ErrorEquals must name at least one error")
	case slices.Contains(names, errorAll) && len(names) > 1:
		p.schemaError(loc, "%s must be the only error in its ErrorEquals", errorAll)
	case slices.Contains(names, errorAll) && !last:
		p.schemaError(loc, "%s must appear in the last retrier or catcher only", errorAll)
	}
	return names
}
