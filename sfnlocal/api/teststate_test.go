package api

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTestState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	retrying := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$.p"},
		"Retry":[{"ErrorEquals":["Boom"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":2}],
		"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Handle"}],"ResultPath":"$.r","Next":"After"}`
	tests := []struct {
		name   string
		in     sfn.TestStateInput
		status types.TestExecutionStatus
		output string
		next   string
		check  func(t *testing.T, out *sfn.TestStateOutput)
	}{
		{"a Pass state, its data flow inspected", sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","InputPath":"$.in","Parameters":{"v.$":"$.x"},"ResultPath":"$.out","End":true}`),
			Input: aws.String(`{"in":{"x":1}}`), InspectionLevel: types.InspectionLevelDebug}, types.TestExecutionStatusSucceeded, `{"in":{"x":1},"out":{"v":1}}`, "",
			func(t *testing.T, out *sfn.TestStateOutput) {
				assert.JSONEq(t, `{"x":1}`, aws.ToString(out.InspectionData.AfterInputPath))
				assert.JSONEq(t, `{"v":1}`, aws.ToString(out.InspectionData.AfterParameters))
				assert.JSONEq(t, `{"in":{"x":1},"out":{"v":1}}`, aws.ToString(out.InspectionData.AfterResultPath))
			}},
		{"a mocked result", sfn.TestStateInput{Definition: aws.String(retrying), Input: aws.String(`{"p":7}`),
			Mock: &types.MockInput{Result: aws.String(`{"Payload":"ok"}`)}, InspectionLevel: types.InspectionLevelInfo},
			types.TestExecutionStatusSucceeded, `{"p":7,"r":{"Payload":"ok"}}`, "After", func(t *testing.T, out *sfn.TestStateOutput) { assert.Nil(t, out.InspectionData) }},
		{"a mocked error a retrier would retry", sfn.TestStateInput{Definition: aws.String(retrying), Input: aws.String(`{"p":7}`),
			Mock:               &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Boom"), Cause: aws.String("bang")}},
			StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(2)}, InspectionLevel: types.InspectionLevelDebug},
			types.TestExecutionStatusRetriable, "", "", func(t *testing.T, out *sfn.TestStateOutput) {
				assert.Equal(t, int32(8), aws.ToInt32(out.InspectionData.ErrorDetails.RetryBackoffIntervalSeconds), "2 s x 2^2")
				assert.Equal(t, "Boom", aws.ToString(out.Error))
			}},
		{"a mocked error past its retries, caught", sfn.TestStateInput{Definition: aws.String(retrying), Input: aws.String(`{"p":7}`),
			Mock:               &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Boom"), Cause: aws.String("bang")}},
			StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(3)}, InspectionLevel: types.InspectionLevelDebug},
			types.TestExecutionStatusCaughtError, `{"p":7,"error":{"Error":"Boom","Cause":"bang"}}`, "Handle", func(t *testing.T, out *sfn.TestStateOutput) {
				assert.Equal(t, int32(0), aws.ToInt32(out.InspectionData.ErrorDetails.CatchIndex))
			}},
		{"one state of a machine, with variables", sfn.TestStateInput{StateName: aws.String("Second"),
			Definition: aws.String(`{"QueryLanguage":"JSONata","StartAt":"First","States":{"First":{"Type":"Pass","Next":"Second"},
				"Second":{"Type":"Pass","Output":"{% $greeting & ' ' & $states.input.name %}","Next":"Third"},"Third":{"Type":"Succeed"}}}`),
			Input: aws.String(`{"name":"Ann"}`), Variables: aws.String(`{"greeting":"hello"}`)},
			types.TestExecutionStatusSucceeded, `"hello Ann"`, "Third", nil},
		{"a Fail state", sfn.TestStateInput{Definition: aws.String(`{"Type":"Fail","Error":"No","Cause":"because"}`)},
			types.TestExecutionStatusFailed, "", "", func(t *testing.T, out *sfn.TestStateOutput) { assert.Equal(t, "because", aws.ToString(out.Cause)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.client.TestState(ctx, &tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.status, out.Status)
			if tt.output != "" {
				assert.JSONEq(t, tt.output, aws.ToString(out.Output))
			}
			assert.Equal(t, tt.next, aws.ToString(out.NextState))
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
	refusals := []struct {
		name, code, message string
		in                  sfn.TestStateInput
	}{
		{"a mock of a Pass state", "ValidationException", "State type 'Pass' is not supported when a mock is specified",
			sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","End":true}`), Mock: &types.MockInput{Result: aws.String(`1`)}}},
		{"a Map without a mock", "InvalidDefinition", "TestState API does not support Map or Parallel states",
			sfn.TestStateInput{Definition: aws.String(`{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`)}},
		{"an unknown state name", "ValidationException", "State not found in definition",
			sfn.TestStateInput{Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`), StateName: aws.String("Nope")}},
		{"a context with a field AWS does not know", "ValidationException", "Invalid Context object provided: Field 'pokemon' is not allowed",
			sfn.TestStateInput{Definition: aws.String(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}`),
				Context: aws.String(`{"Execution":{"pokemon":"squirtle"}}`), Mock: &types.MockInput{Result: aws.String(`{}`)}}},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.TestState(ctx, &tt.in)
			assertAPIError(t, err, tt.code, tt.message)
		})
	}
}
