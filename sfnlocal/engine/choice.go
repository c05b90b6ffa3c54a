package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// choiceRule is a compiled Choice rule.
type choiceRule struct {
	asl.ChoiceRule
	condition  *jsonata.Template // JSONata
	variable   *jsonpath.Path
	operand    *jsonpath.Path // for the ...Path operators
	nested     []*choiceRule  // And, Or, and Not's single rule
	pathAssign *jsonpath.Assignment
	assign     *jsonata.Template
	output     *jsonata.Template
}

func compileChoiceRule(rule asl.ChoiceRule, isJSONata bool) (*choiceRule, error) {
	c := &choiceRule{ChoiceRule: rule}
	var err error
	if isJSONata {
		if c.condition, err = jsonata.CompileTemplate("{%"+rule.Condition+"%}", jsonata.InField("Condition")); err != nil {
			return nil, err
		}
		if c.assign, err = jsonataTemplate(rule.Assign, "Assign"); err != nil {
			return nil, err
		}
		if c.output, err = jsonataTemplate(rule.Output, "Output"); err != nil {
			return nil, err
		}
		return c, nil
	}
	if c.pathAssign, err = pathAssign(rule.Assign); err != nil {
		return nil, err
	}
	if rule.Variable != "" {
		if c.variable, err = jsonpath.Compile(rule.Variable); err != nil {
			return nil, fmt.Errorf("Variable: %w", err)
		}
	}
	if path, isPath := rule.Value.(string); isPath && strings.HasSuffix(rule.Operator, "Path") {
		if c.operand, err = jsonpath.Compile(path); err != nil {
			return nil, fmt.Errorf("%s: %w", rule.Operator, err)
		}
	}
	sub := append(append([]asl.ChoiceRule{}, rule.And...), rule.Or...)
	if rule.Not != nil {
		sub = append(sub, *rule.Not)
	}
	for _, s := range sub {
		compiled, err := compileChoiceRule(s, false)
		if err != nil {
			return nil, err
		}
		c.nested = append(c.nested, compiled)
	}
	return c, nil
}

// runChoice picks the first rule that matches, or Default.
func (t *thread) runChoice(r *stateRun) (any, *jsonvalue.Object, string, error) {
	for _, rule := range r.st.choices {
		matched, err := rule.matches(r)
		if err != nil {
			return nil, nil, "", evaluating(err)
		}
		if matched {
			output, assigned, err := r.passThrough(rule.output, rule.assign, rule.pathAssign)
			return output, assigned, rule.Next, err
		}
	}
	if r.st.Default == "" {
		return nil, nil, "", failure.New(failure.NoChoiceMatched, "No Matches!")
	}
	output, assigned, err := r.passThrough(r.st.output, r.st.assign, r.st.pathAssign)
	return output, assigned, r.st.Default, err
}

func (c *choiceRule) matches(r *stateRun) (bool, error) {
	if c.condition != nil {
		v, err := c.condition.Evaluate(r.bindings("", nil))
		if err != nil {
			return false, err
		}
		b, ok := v.(bool)
		if !ok {
			return false, failure.New(failure.QueryEvaluationError,
				"The JSONata expression '%s' specified for the field 'Condition' returned a non-boolean value: %s", c.Condition, intrinsic.JSONText(v))
		}
		return b, nil
	}
	switch c.Operator {
	case "And", "Or":
		want := c.Operator == "Or"
		for _, sub := range c.nested {
			m, err := sub.matches(r)
			if err != nil || m == want {
				return want, err
			}
		}
		return !want, nil
	case "Not":
		m, err := c.nested[0].matches(r)
		return !m, err
	}
	env := r.pathEnv()
	value, present := c.variable.Lookup(r.input, env)
	if c.Operator == "IsPresent" {
		return present == c.Value.(bool), nil
	}
	if !present {
		return false, failure.New(failure.Runtime, "Invalid path '%s': The choice state's condition path references an invalid value.", c.Variable)
	}
	operand := c.Value
	if c.operand != nil {
		var found bool
		if operand, found = c.operand.Lookup(r.input, env); !found {
			return false, failure.New(failure.Runtime, "Invalid path '%s': The choice state's condition path references an invalid value.", c.Value)
		}
	}
	return compare(strings.TrimSuffix(c.Operator, "Path"), value, operand), nil
}

// compare applies a comparison operator; values of the wrong type never match.
func compare(operator string, value, operand any) bool {
	switch operator {
	case "IsNull":
		return (value == nil) == operand.(bool)
	case "IsBoolean":
		_, ok := value.(bool)
		return ok == operand.(bool)
	case "IsNumeric":
		_, ok := value.(float64)
		return ok == operand.(bool)
	case "IsString":
		_, ok := value.(string)
		return ok == operand.(bool)
	case "IsTimestamp":
		_, ok := timestamp(value)
		return ok == operand.(bool)
	case "BooleanEquals":
		a, ok1 := value.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := value.(string)
		b, ok2 := operand.(string)
		return ok1 && ok2 && globMatch(b, a)
	}
	kind, relation := splitOperator(operator)
	switch kind {
	case "String":
		a, ok1 := value.(string)
		b, ok2 := operand.(string)
		return ok1 && ok2 && relate(relation, strings.Compare(a, b))
	case "Numeric":
		a, ok1 := value.(float64)
		b, ok2 := operand.(float64)
		return ok1 && ok2 && relate(relation, cmpFloat(a, b))
	case "Timestamp":
		a, ok1 := timestamp(value)
		b, ok2 := timestamp(operand)
		return ok1 && ok2 && relate(relation, a.Compare(b))
	}
	return false
}

func splitOperator(op string) (kind, relation string) {
	for _, k := range []string{"String", "Numeric", "Timestamp"} {
		if rest, ok := strings.CutPrefix(op, k); ok {
			return k, rest
		}
	}
	return "", op
}

func relate(relation string, c int) bool {
	switch relation {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func timestamp(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// globMatch is StringMatches: * matches any run of characters; \* and \\ are literal.
func globMatch(pattern, s string) bool {
	var parts []string // literal runs between unescaped stars
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		switch {
		case pattern[i] == '\\' && i+1 < len(pattern):
			i++
			b.WriteByte(pattern[i])
		case pattern[i] == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(pattern[i])
		}
	}
	parts = append(parts, b.String())
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, middle := range parts[1 : len(parts)-1] {
		i := strings.Index(s, middle)
		if i < 0 {
			return false
		}
		s = s[i+len(middle):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
