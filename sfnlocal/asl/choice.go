package asl

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"
)

// operandKind is what a comparison operator compares the Variable with.
type operandKind int

const (
	operandBoolean operandKind = iota
	operandNumber
	operandString
	operandTimestamp
	operandPath
)

// comparisonOperators maps every JSONPath Choice operator to its operand; each non-Is
// operator also has a "…Path" form comparing with another input value.
var comparisonOperators = func() map[string]operandKind {
	operators := map[string]operandKind{
		"BooleanEquals": operandBoolean, "StringMatches": operandString,
		"IsBoolean": operandBoolean, "IsNull": operandBoolean, "IsNumeric": operandBoolean,
		"IsPresent": operandBoolean, "IsString": operandBoolean, "IsTimestamp": operandBoolean,
	}
	prefixes := map[string]operandKind{"Numeric": operandNumber, "String": operandString, "Timestamp": operandTimestamp}
	for prefix, kind := range prefixes {
		for _, comparison := range []string{"Equals", "GreaterThan", "GreaterThanEquals", "LessThan", "LessThanEquals"} {
			operators[prefix+comparison] = kind
		}
	}
	for name := range maps.Clone(operators) {
		if name != "StringMatches" && !strings.HasPrefix(name, "Is") {
			operators[name+"Path"] = operandPath
		}
	}
	return operators
}()

var logicalOperators = []string{"And", "Or", "Not"}

// jsonPathRuleFields are the fields a JSONPath rule may have besides a top-level rule's own.
var jsonPathRuleFields = append(append([]string{"Variable", "Comment"}, logicalOperators...), slices.Sorted(maps.Keys(comparisonOperators))...)

func (p *parser) parseChoice(o *object, s *State) {
	if p.requireField(o, "Choices") {
		rules, _ := p.arrayField(o, "Choices")
		if rules != nil && len(rules) == 0 {
			p.schemaError(o.at("Choices"), "Choices must hold at least one rule")
		}
		for i, raw := range rules {
			if rule, ok := p.parseChoiceRule(raw, pointer(o.at("Choices"), i), s.QueryLanguage, true); ok {
				s.Choices = append(s.Choices, rule)
			}
		}
	}
	s.Default, _ = p.stringField(o, "Default")
}

// parseChoiceRule reads a rule; only top-level rules transition, so only they carry Next,
// Assign and Output.
func (p *parser) parseChoiceRule(raw json.RawMessage, loc string, language QueryLanguage, topLevel bool) (ChoiceRule, bool) {
	var rule ChoiceRule
	o := p.decode(raw, loc, "a choice rule", CodeSchemaValidation)
	if o == nil {
		return rule, false
	}
	allowed := []string{"Comment"}
	if topLevel {
		allowed = append(allowed, "Next", "Assign")
		if p.requireField(o, "Next") {
			rule.Next, _ = p.stringField(o, "Next")
		}
	}
	rule.Comment, _ = p.stringField(o, "Comment")
	rule.Assign = p.templateField(o, "Assign", language)
	if language == JSONata {
		allowed = append(allowed, "Condition")
		if topLevel {
			allowed = append(allowed, "Output")
		}
		p.rejectUnknown(o, allowed...)
		rule.Output = o.fields["Output"]
		rule.Condition = p.parseCondition(o)
		return rule, true
	}
	p.rejectUnknown(o, append(allowed, jsonPathRuleFields...)...)
	p.parseJSONPathRule(o, &rule)
	return rule, true
}

func (p *parser) parseCondition(o *object) string {
	if !p.requireField(o, "Condition") {
		return ""
	}
	if expression, ok := p.expressionField(o, "Condition", JSONata); ok {
		return expression
	}
	// AWS also takes a literal boolean; "true" and "false" are JSONata expressions too.
	if jsonKind(o.fields["Condition"]) == "boolean" {
		return string(o.fields["Condition"])
	}
	p.wrongKind(o, "Condition", "a boolean or a JSONata expression \"{% … %}\"")
	return ""
}

// parseJSONPathRule reads a rule's single operator: a comparison of Variable, or And, Or, Not.
func (p *parser) parseJSONPathRule(o *object, rule *ChoiceRule) {
	var operators []string
	for _, key := range o.keys {
		if _, isComparison := comparisonOperators[key]; isComparison || slices.Contains(logicalOperators, key) {
			operators = append(operators, key)
		}
	}
	if len(operators) != 1 {
		p.schemaError(o.loc, "a choice rule needs exactly one comparison operator (or And, Or, Not), found %d", len(operators))
		return
	}
	rule.Operator = operators[0]
	switch rule.Operator {
	case "And", "Or":
		p.rejectVariable(o, rule.Operator)
		rules, _ := p.arrayField(o, rule.Operator)
		if rules != nil && len(rules) == 0 {
			p.schemaError(o.at(rule.Operator), "%s must hold at least one rule", rule.Operator)
		}
		nested := make([]ChoiceRule, 0, len(rules))
		for i, raw := range rules {
			if r, ok := p.parseChoiceRule(raw, pointer(o.at(rule.Operator), i), JSONPath, false); ok {
				nested = append(nested, r)
			}
		}
		if rule.Operator == "And" {
			rule.And = nested
		} else {
			rule.Or = nested
		}
	case "Not":
		p.rejectVariable(o, rule.Operator)
		if r, ok := p.parseChoiceRule(o.fields["Not"], o.at("Not"), JSONPath, false); ok {
			rule.Not = &r
		}
	default:
		if p.requireField(o, "Variable") {
			rule.Variable, _ = p.pathField(o, "Variable", anyPath)
		}
		rule.Value = p.comparisonOperand(o, rule.Operator)
	}
}

func (p *parser) rejectVariable(o *object, operator string) {
	if o.has("Variable") {
		p.schemaError(o.at("Variable"), "a rule with %s has no Variable", operator)
	}
}

// comparisonOperand checks the operand has the type its operator compares.
func (p *parser) comparisonOperand(o *object, operator string) any {
	switch comparisonOperators[operator] {
	case operandBoolean:
		value, _ := p.boolField(o, operator)
		return value
	case operandNumber:
		value, _ := p.numberField(o, operator)
		return value
	case operandTimestamp:
		value, ok := p.stringField(o, operator)
		if _, err := time.Parse(time.RFC3339, value); ok && err != nil {
			p.schemaError(o.at(operator), "%q is not an RFC 3339 timestamp", value)
		}
		return value
	case operandPath:
		value, _ := p.pathField(o, operator, anyPath)
		return value
	default:
		value, _ := p.stringField(o, operator)
		return value
	}
}
