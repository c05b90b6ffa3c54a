package asl

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type validCase struct {
	name       string
	definition string
	check      func(t *testing.T, def *Definition)
}

// machine wraps states into a definition starting at the first one.
func machine(language, startAt, states string) string {
	return `{"QueryLanguage":"` + language + `","StartAt":"` + startAt + `","States":{` + states + `}}`
}

var validDefinitions = []validCase{
	{"JSONPath Task with defaults applied to its retrier", machine("JSONPath", "T", `
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"x.$":"$.a","f.$":"States.Format('{}',$.b)"},
		     "InputPath":"$.in","ResultPath":null,"ResultSelector":{"p.$":"$.Payload"},"OutputPath":"$",
		     "TimeoutSecondsPath":"$.timeout","HeartbeatSeconds":5,
		     "Retry":[{"ErrorEquals":["States.TaskFailed"]},{"ErrorEquals":["States.ALL"],"MaxAttempts":0,"JitterStrategy":"FULL","MaxDelaySeconds":10}],
		     "Catch":[{"ErrorEquals":["States.ALL"],"Next":"F","ResultPath":"$.error"}],"End":true},
		"F":{"Type":"Fail","ErrorPath":"$.error.Error","CausePath":"States.Format('{}', $.error.Cause)"}`),
		func(t *testing.T, def *Definition) {
			task := def.States["T"]
			assert.Equal(t, JSONPath, task.QueryLanguage)
			assert.Equal(t, OptionalPath{Set: true, Null: true}, task.ResultPath)
			assert.Equal(t, OptionalPath{Set: true, Path: "$.in"}, task.InputPath)
			assert.Equal(t, Value[int64]{Kind: ValuePath, Path: "$.timeout"}, task.TimeoutSeconds)
			assert.Equal(t, Value[int64]{Kind: ValueLiteral, Literal: 5}, task.HeartbeatSeconds)
			assert.Equal(t, []Retrier{
				{ErrorEquals: []string{"States.TaskFailed"}, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "NONE"},
				{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 1, MaxAttempts: 0, BackoffRate: 2, JitterStrategy: "FULL", MaxDelaySeconds: 10},
			}, task.Retry)
			assert.Equal(t, []Catcher{{ErrorEquals: []string{"States.ALL"}, Next: "F", ResultPath: OptionalPath{Set: true, Path: "$.error"}}}, task.Catch)
			assert.Equal(t, ValuePath, def.States["F"].Cause.Kind)
		}},
	{"JSONata Task with expressions", machine("JSONata", "T", `
		"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"Payload":"{% $states.input %}"},
		     "TimeoutSeconds":"{% $timeout %}","Output":"{% $states.result %}","Assign":{"v":1},
		     "Catch":[{"ErrorEquals":["States.ALL"],"Next":"S","Output":{"e":"{% $states.errorOutput %}"}}],"Next":"S"},
		"S":{"Type":"Succeed"}`),
		func(t *testing.T, def *Definition) {
			task := def.States["T"]
			assert.Equal(t, Value[int64]{Kind: ValueExpression, Expression: "$timeout"}, task.TimeoutSeconds)
			assert.JSONEq(t, `{"Payload":"{% $states.input %}"}`, string(task.Arguments))
			assert.JSONEq(t, `"{% $states.result %}"`, string(task.Output))
			assert.JSONEq(t, `{"e":"{% $states.errorOutput %}"}`, string(task.Catch[0].Output))
		}},
	{"Pass states in both languages, a JSONata state in a JSONPath machine", machine("JSONPath", "A", `
		"A":{"Type":"Pass","Result":{"k":[1,2]},"ResultPath":"$.r","Next":"B"},
		"B":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"k":"{% $states.input.r %}"},"End":true}`),
		func(t *testing.T, def *Definition) {
			assert.Equal(t, []string{"A", "B"}, def.StateNames)
			assert.JSONEq(t, `{"k":[1,2]}`, string(def.States["A"].Result))
			assert.Equal(t, JSONata, def.States["B"].QueryLanguage)
		}},
	{"JSONPath Choice with nested rules", machine("JSONPath", "C", `
		"C":{"Type":"Choice","Choices":[
		       {"And":[{"Variable":"$.n","NumericGreaterThanEquals":1},{"Not":{"Variable":"$.s","StringMatches":"a*"}}],"Next":"S"},
		       {"Variable":"$.t","TimestampLessThanPath":"$.limit","Next":"S","Assign":{"x.$":"$.t"}},
		       {"Variable":"$.b","IsPresent":false,"Next":"S"}],"Default":"S"},
		"S":{"Type":"Succeed"}`),
		func(t *testing.T, def *Definition) {
			rules := def.States["C"].Choices
			require.Len(t, rules, 3)
			assert.Equal(t, "And", rules[0].Operator)
			assert.Equal(t, ChoiceRule{Variable: "$.n", Operator: "NumericGreaterThanEquals", Value: 1.0}, rules[0].And[0])
			assert.Equal(t, "StringMatches", rules[0].And[1].Not.Operator)
			assert.Equal(t, "$.limit", rules[1].Value)
			assert.Equal(t, false, rules[2].Value)
			assert.Equal(t, "S", def.States["C"].Default)
		}},
	{"JSONata Choice", machine("JSONata", "C", `
		"C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.n > 1 %}","Next":"S","Output":{"big":true}},{"Condition":true,"Next":"S"}]},
		"S":{"Type":"Succeed","Output":"{% 1 %}"}`),
		func(t *testing.T, def *Definition) {
			rules := def.States["C"].Choices
			assert.Equal(t, "$states.input.n > 1", rules[0].Condition)
			assert.Equal(t, "true", rules[1].Condition)
		}},
	{"Wait states in both languages", machine("JSONPath", "A", `
		"A":{"Type":"Wait","Seconds":0,"Next":"B"},
		"B":{"Type":"Wait","TimestampPath":"$.when","Next":"C"},
		"C":{"Type":"Wait","QueryLanguage":"JSONata","Timestamp":"{% $now() %}","Next":"D"},
		"D":{"Type":"Wait","Timestamp":"2026-01-02T03:04:05Z","End":true}`),
		func(t *testing.T, def *Definition) {
			assert.Equal(t, Value[int64]{Kind: ValueLiteral}, def.States["A"].Seconds)
			assert.Equal(t, Value[string]{Kind: ValuePath, Path: "$.when"}, def.States["B"].Timestamp)
			assert.Equal(t, Value[string]{Kind: ValueExpression, Expression: "$now()"}, def.States["C"].Timestamp)
			assert.Equal(t, "2026-01-02T03:04:05Z", def.States["D"].Timestamp.Literal)
		}},
	{"Parallel branches are their own scopes", machine("JSONPath", "P", `
		"P":{"Type":"Parallel","Branches":[
		       {"StartAt":"B1","States":{"B1":{"Type":"Pass","End":true}}},
		       {"StartAt":"B2","States":{"B2":{"Type":"Fail","Error":"E","Cause":"c"}}}],
		     "ResultSelector":{"all.$":"$"},"Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":1.5}],"End":true}`),
		func(t *testing.T, def *Definition) {
			branches := def.States["P"].Branches
			require.Len(t, branches, 2)
			assert.Equal(t, "B1", branches[0].StartAt)
			assert.Equal(t, Value[string]{Kind: ValueLiteral, Literal: "E"}, branches[1].States["B2"].Error)
			assert.Equal(t, 1.5, def.States["P"].Retry[0].BackoffRate)
		}},
	{"JSONPath Map with the older Iterator and ItemsPath default", machine("JSONPath", "M", `
		"M":{"Type":"Map","MaxConcurrencyPath":"$.n","Iterator":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},
		     "ToleratedFailurePercentage":12.5,"End":true}`),
		func(t *testing.T, def *Definition) {
			m := def.States["M"]
			assert.Equal(t, "$", m.ItemsPath)
			assert.Equal(t, Value[int64]{Kind: ValuePath, Path: "$.n"}, m.MaxConcurrency)
			assert.Equal(t, Value[float64]{Kind: ValueLiteral, Literal: 12.5}, m.ToleratedFailurePercentage)
			assert.Equal(t, "I", m.ItemProcessor.StartAt)
		}},
	{"JSONata distributed Map", machine("JSONata", "M", `
		"M":{"Type":"Map","Items":"{% $states.input.list %}","ItemSelector":{"v":"{% $states.context.Map.Item.Value %}"},
		     "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}},
		     "ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},"MaxConcurrency":"{% 2 %}","ToleratedFailureCount":3,"Label":"m","End":true}`),
		func(t *testing.T, def *Definition) {
			m := def.States["M"]
			assert.Equal(t, &ProcessorConfig{Mode: "DISTRIBUTED", ExecutionType: "EXPRESS"}, m.ItemProcessor.ProcessorConfig)
			assert.Equal(t, JSONata, m.ItemProcessor.States["I"].QueryLanguage)
			assert.Equal(t, Value[int64]{Kind: ValueExpression, Expression: "2"}, m.MaxConcurrency)
			assert.Empty(t, m.ItemsPath)
			assert.JSONEq(t, `{"Resource":"arn:aws:states:::s3:getObject"}`, string(m.ItemReader))
		}},
	{"Top-level fields", `{"Comment":"c","Version":"1.0","TimeoutSeconds":60,"StartAt":"S","States":{"S":{"Type":"Succeed","Comment":"done"}}}`,
		func(t *testing.T, def *Definition) {
			assert.Equal(t, &Definition{Comment: "c", Version: "1.0", TimeoutSeconds: 60, StartAt: "S", QueryLanguage: JSONPath,
				States:     map[string]*State{"S": {Name: "S", Type: TypeSucceed, Comment: "done", QueryLanguage: JSONPath}},
				StateNames: []string{"S"}}, def)
		}},
}

func TestParseValidDefinitions(t *testing.T) {
	for _, tc := range validDefinitions {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, json.Valid([]byte(tc.definition)))
			def, warnings, err := Parse([]byte(tc.definition))
			require.NoError(t, err)
			assert.Empty(t, warnings)
			tc.check(t, def)
		})
	}
}

func TestParseWarnings(t *testing.T) {
	_, warnings, err := Parse([]byte(machine("JSONPath", "P", `
		"P":{"Type":"Pass","Result":{"a.$":"$.x"},"Parameters":{"b":"$.y"},"End":true}`)))
	require.NoError(t, err)
	assert.ElementsMatch(t, []Diagnostic{
		{Severity: SeverityWarning, Code: CodePassResultIsStatic, Location: "/States/P/Result", Message: `Result is static: its ".$" keys are not evaluated (use Parameters)`},
		{Severity: SeverityWarning, Code: CodeNoDollar, Location: "/States/P/Parameters/b", Message: `"$.y" looks like a path but its key "b" does not end in ".$", so it stays a literal string`},
	}, warnings)
}
