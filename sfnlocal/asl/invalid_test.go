package asl

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// problem is the code and location of one expected diagnostic.
type problem struct {
	code     Code
	location string
}

type invalidCase struct {
	name       string
	definition string
	problems   []problem // every error Parse must report, and no other
}

const succeed = `"S":{"Type":"Succeed"}`

var invalidDefinitions = []invalidCase{
	{"empty", ``, []problem{{CodeMissingDescription, ""}}},
	{"not JSON", `{"StartAt":`, []problem{{CodeInvalidJSON, ""}}},
	{"not an object", `[1]`, []problem{{CodeSchemaValidation, ""}}},
	{"missing StartAt and States", `{}`, []problem{{CodeSchemaValidation, ""}, {CodeSchemaValidation, ""}}},
	{"unknown top-level field", `{"StartAt":"S","States":{` + succeed + `},"Foo":1}`, []problem{{CodeSchemaValidation, "/Foo"}}},
	{"StartAt missing", machine("JSONPath", "X", succeed), []problem{{CodeMissingTransitionTarget, "/StartAt"}}},
	{"unknown type", machine("JSONPath", "A", `"A":{"Type":"Nap","Next":"S"},`+succeed), []problem{{CodeSchemaValidation, "/States/A/Type"}}},
	{"unknown field", machine("JSONPath", "S", `"S":{"Type":"Succeed","Next":"S"}`), []problem{{CodeSchemaValidation, "/States/S/Next"}}},
	{"neither Next nor End", machine("JSONPath", "A", `"A":{"Type":"Pass"}`),
		[]problem{{CodeSchemaValidation, "/States/A"}, {CodeMissingEndState, "/States"}}},
	{"both Next and End", machine("JSONPath", "A", `"A":{"Type":"Pass","Next":"S","End":true},`+succeed), []problem{{CodeSchemaValidation, "/States/A"}}},
	{"missing Next target and unreachable state", machine("JSONPath", "A", `"A":{"Type":"Pass","Next":"Nowhere"},`+succeed),
		[]problem{{CodeMissingTransitionTarget, "/States/A/Next"}, {CodeUnreachableState, "/States/S"}}},
	{"branch cannot jump out of its scope", machine("JSONPath", "P", `"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"P"}}}]}`),
		[]problem{{CodeMissingTransitionTarget, "/States/P/Branches/0/States/B/Next"}, {CodeMissingEndState, "/States/P/Branches/0/States"}}},
	{"duplicate state names", `{"StartAt":"S","States":{"S":{"Type":"Succeed"},"S":{"Type":"Succeed"}}}`,
		[]problem{{CodeDuplicateStateName, "/States/S"}}},
	{"state name reused in a branch", machine("JSONPath", "S", `"S":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"S","States":{`+succeed+`}}]}`),
		[]problem{{CodeDuplicateStateName, "/States/S/Branches/0/States/S"}}},
	{"state name too long", machine("JSONPath", "123456789012345678901234567890123456789012345678901234567890123456789012345678901",
		`"123456789012345678901234567890123456789012345678901234567890123456789012345678901":{"Type":"Succeed"}`),
		[]problem{{CodeInvalidStateName, "/States/123456789012345678901234567890123456789012345678901234567890123456789012345678901"}}},
	{"JSONPath fields in a JSONata state", machine("JSONata", "A", `"A":{"Type":"Pass","InputPath":"$","Parameters":{},"End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/InputPath"}, {CodeSchemaValidation, "/States/A/Parameters"}}},
	{"JSONata fields in a JSONPath state", machine("JSONPath", "A", `"A":{"Type":"Pass","Output":{},"End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/Output"}}},
	{"JSONPath state in a JSONata machine", machine("JSONata", "A", `"A":{"Type":"Pass","QueryLanguage":"JSONPath","End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/QueryLanguage"}}},
	{"retry rules", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:0:function:f","End":true,"Retry":[
		{"ErrorEquals":["States.ALL"]},
		{"ErrorEquals":[],"MaxAttempts":-1,"BackoffRate":0.5,"IntervalSeconds":0,"MaxDelaySeconds":0,"JitterStrategy":"SOME"}]}`),
		[]problem{{CodeSchemaValidation, "/States/T/Retry/0/ErrorEquals"}, {CodeSchemaValidation, "/States/T/Retry/1/ErrorEquals"},
			{CodeSchemaValidation, "/States/T/Retry/1/MaxAttempts"}, {CodeSchemaValidation, "/States/T/Retry/1/BackoffRate"},
			{CodeSchemaValidation, "/States/T/Retry/1/IntervalSeconds"}, {CodeSchemaValidation, "/States/T/Retry/1/MaxDelaySeconds"},
			{CodeSchemaValidation, "/States/T/Retry/1/JitterStrategy"}}},
	{"States.ALL not alone in a catcher", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true,
		"Catch":[{"ErrorEquals":["States.ALL","E"],"Next":"S"}]},`+succeed),
		[]problem{{CodeSchemaValidation, "/States/T/Catch/0/ErrorEquals"}}},
	{"catcher Next missing", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true,
		"Catch":[{"ErrorEquals":["E"],"Next":"Nowhere"}]}`),
		[]problem{{CodeMissingTransitionTarget, "/States/T/Catch/0/Next"}}},
	{"task timeouts", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true,
		"TimeoutSeconds":10,"TimeoutSecondsPath":"$.t","HeartbeatSeconds":0}`),
		[]problem{{CodeSchemaValidation, "/States/T"}, {CodeSchemaValidation, "/States/T/HeartbeatSeconds"}}},
	{"heartbeat not below timeout", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true,
		"TimeoutSeconds":10,"HeartbeatSeconds":10}`),
		[]problem{{CodeSchemaValidation, "/States/T/HeartbeatSeconds"}}},
	{"resource not an ARN", machine("JSONPath", "T", `"T":{"Type":"Task","Resource":"lambda","End":true}`),
		[]problem{{CodeInvalidResource, "/States/T/Resource"}}},
	{"bad paths", machine("JSONPath", "A", `"A":{"Type":"Pass","InputPath":"in","ResultPath":"$.a[*]","OutputPath":"$.a[","End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/InputPath"}, {CodeSchemaValidation, "/States/A/ResultPath"}, {CodeSchemaValidation, "/States/A/OutputPath"}}},
	{"bad .$ template value", machine("JSONPath", "A", `"A":{"Type":"Pass","Parameters":{"a":{"b.$":"plain"}},"End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/Parameters/a/b.$"}}},
	{"Wait with two durations", machine("JSONPath", "W", `"W":{"Type":"Wait","Seconds":1,"Timestamp":"2026-01-01T00:00:00Z","End":true}`),
		[]problem{{CodeSchemaValidation, "/States/W"}}},
	{"Wait with a bad timestamp and negative seconds", machine("JSONPath", "A", `"A":{"Type":"Wait","Timestamp":"tomorrow","Next":"B"},
		"B":{"Type":"Wait","Seconds":-1,"End":true}`),
		[]problem{{CodeSchemaValidation, "/States/A/Timestamp"}, {CodeSchemaValidation, "/States/B/Seconds"}}},
	{"Fail with Error and ErrorPath", machine("JSONPath", "F", `"F":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}`),
		[]problem{{CodeSchemaValidation, "/States/F"}}},
	{"Choice rules", machine("JSONPath", "C", `"C":{"Type":"Choice","Choices":[
		{"Variable":"$.a","NumericEquals":1,"StringEquals":"x","Next":"S"},
		{"Variable":"$.a","NumericEquals":"1","Next":"S"},
		{"Condition":"{% true %}","Next":"S"},
		{"And":[{"Variable":"$.a","IsNull":true,"Next":"S"}],"Next":"S"},
		{"Variable":"$.a","BooleanEquals":true}]},`+succeed),
		[]problem{{CodeSchemaValidation, "/States/C/Choices/0"}, {CodeSchemaValidation, "/States/C/Choices/1/NumericEquals"},
			{CodeSchemaValidation, "/States/C/Choices/2/Condition"}, {CodeSchemaValidation, "/States/C/Choices/2"},
			{CodeSchemaValidation, "/States/C/Choices/3/And/0/Next"}, {CodeSchemaValidation, "/States/C/Choices/4"}}},
	{"JSONata Choice rule with a Variable", machine("JSONata", "C", `"C":{"Type":"Choice","Choices":[{"Variable":"$.a","Condition":"yes","Next":"S"}]},`+succeed),
		[]problem{{CodeSchemaValidation, "/States/C/Choices/0/Variable"}, {CodeSchemaValidation, "/States/C/Choices/0/Condition"}}},
	{"Map without processor and bad limits", machine("JSONPath", "M", `"M":{"Type":"Map","ToleratedFailurePercentage":101,"MaxConcurrency":-1,"End":true}`),
		[]problem{{CodeSchemaValidation, "/States/M"}, {CodeSchemaValidation, "/States/M/ToleratedFailurePercentage"}, {CodeSchemaValidation, "/States/M/MaxConcurrency"}}},
	{"Map processor mode", machine("JSONPath", "M", `"M":{"Type":"Map","End":true,"ItemProcessor":{"ProcessorConfig":{"Mode":"FAST"},"StartAt":"I","States":{"I":{"Type":"Succeed"}}}}`),
		[]problem{{CodeSchemaValidation, "/States/M/ItemProcessor/ProcessorConfig/Mode"}}},
	{"wrong field types", machine("JSONPath", "A", `"A":{"Type":"Pass","Comment":1,"End":"yes"}`),
		[]problem{{CodeSchemaValidation, "/States/A/Comment"}, {CodeSchemaValidation, "/States/A/End"}, {CodeSchemaValidation, "/States/A"}, {CodeMissingEndState, "/States"}}},
	{"location escapes slashes in names", machine("JSONPath", "a/b", `"a/b":{"Type":"Pass","Next":"c~d"}`),
		[]problem{{CodeMissingTransitionTarget, "/States/a~1b/Next"}, {CodeMissingEndState, "/States"}}},
}

func TestParseInvalidDefinitions(t *testing.T) {
	for _, tc := range invalidDefinitions {
		t.Run(tc.name, func(t *testing.T) {
			def, _, err := Parse([]byte(tc.definition))
			require.Error(t, err)
			assert.Nil(t, def)
			var invalid *InvalidDefinitionError
			require.True(t, errors.As(err, &invalid))
			got := make([]problem, len(invalid.Diagnostics))
			for i, d := range invalid.Diagnostics {
				assert.Equal(t, SeverityError, d.Severity)
				assert.NotEmpty(t, d.Message)
				got[i] = problem{d.Code, d.Location}
			}
			assert.ElementsMatch(t, tc.problems, got, "diagnostics: %v", invalid.Diagnostics)
		})
	}
}

func TestInvalidDefinitionErrorListsEveryProblem(t *testing.T) {
	_, _, err := Parse([]byte(machine("JSONPath", "A", `"A":{"Type":"Pass","Next":"Nowhere","Foo":1}`)))
	require.Error(t, err)
	assert.Equal(t, "Invalid State Machine Definition: "+
		`'SCHEMA_VALIDATION_FAILED: the field "Foo" is not supported by Step Functions in a Pass state at /States/A/Foo', `+
		`'MISSING_TRANSITION_TARGET: missing transition target "Nowhere": no such state in this scope at /States/A/Next', `+
		`'MISSING_END_STATE: no state ends this scope: it needs a Succeed or Fail state or one with "End": true at /States'`, err.Error())
}
