package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStateMachineLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	arn := f.createMachine(t, "orders", passMachine, "")
	assert.Equal(t, "arn:aws:states:us-east-1:000000000000:stateMachine:orders", arn)

	described, err := f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "orders", aws.ToString(described.Name))
	assert.Equal(t, passMachine, aws.ToString(described.Definition))
	assert.Equal(t, roleARN, aws.ToString(described.RoleArn))
	assert.Equal(t, types.StateMachineTypeStandard, described.Type)
	assert.Equal(t, types.StateMachineStatusActive, described.Status)
	assert.Equal(t, epoch, described.CreationDate.UTC())
	assert.Equal(t, types.LogLevelOff, described.LoggingConfiguration.Level)

	// AWS's idempotency: same definition and type give the same machine, even with
	// another role; another definition is a name clash.
	again, err := f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), Definition: aws.String(passMachine), RoleArn: aws.String(roleARN + "-other"),
	})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(again.StateMachineArn))
	_, err = f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("orders"), Definition: aws.String(failMachine), RoleArn: aws.String(roleARN),
	})
	assertAPIError(t, err, "StateMachineAlreadyExists", arn)

	updated, err := f.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{
		StateMachineArn: aws.String(arn), Definition: aws.String(failMachine),
		TracingConfiguration: &types.TracingConfiguration{Enabled: true},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, aws.ToString(updated.RevisionId))
	described, err = f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, failMachine, aws.ToString(described.Definition))
	assert.True(t, described.TracingConfiguration.Enabled)
	assert.Equal(t, aws.ToString(updated.RevisionId), aws.ToString(described.RevisionId))

	_, err = f.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	require.NoError(t, err)
	_, err = f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	assertAPIError(t, err, "StateMachineDoesNotExist", arn)
	_, err = f.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arn)})
	assert.NoError(t, err, "deleting a machine that does not exist succeeds, as on AWS")
}

func TestDeleteStateMachineAbortsItsRunningExecutions(t *testing.T) {
	f := newFixture(t)
	machine := f.createMachine(t, "gated", gateMachine, "")
	execution := f.start(t, machine, "busy", "")
	f.waitTaskStarted(t, execution)
	_, err := f.client.DeleteStateMachine(context.Background(), &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusAborted, f.waitDone(t, execution).Status, "its executions stay describable")
}

func TestCreateAndUpdateStateMachineErrors(t *testing.T) {
	f := newFixture(t)
	existing := f.createMachine(t, "existing", passMachine, "")
	twoProblems := `{"StartAt":"Nowhere","States":{"P":{"Type":"Pass"}}}`
	tests := []struct {
		name, machineName, definition, role string
		machineType                         types.StateMachineType
		code                                string
		parts                               []string
	}{
		{"whitespace in name", "my machine", passMachine, roleARN, "", "InvalidName", []string{"my machine"}},
		{"colon in name", "a:b", passMachine, roleARN, "", "InvalidName", nil},
		{"name too long", strings.Repeat("n", 81), passMachine, roleARN, "", "ValidationException", []string{"less than or equal to 80"}},
		{"every definition problem", "bad", twoProblems, roleARN, "", "InvalidDefinition", []string{"MISSING_TRANSITION_TARGET", "Nowhere", "/States/P"}},
		{"not JSON", "bad", `{"StartAt":`, roleARN, "", "InvalidDefinition", []string{"INVALID_JSON_DESCRIPTION"}},
		{"unknown type", "typed", passMachine, roleARN, "BATCH", "ValidationException", []string{"STANDARD, EXPRESS"}},
		{"role is not an ARN", "roleless", passMachine, "admin", "", "InvalidArn", []string{"admin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
				Name: aws.String(tt.machineName), Definition: aws.String(tt.definition), RoleArn: aws.String(tt.role), Type: tt.machineType,
			})
			assertAPIError(t, err, tt.code, tt.parts...)
		})
	}

	t.Run("update with nothing to change", func(t *testing.T) {
		_, err := f.client.UpdateStateMachine(context.Background(), &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(existing)})
		assertAPIError(t, err, "MissingRequiredParameter")
	})
	t.Run("update with an invalid definition", func(t *testing.T) {
		_, err := f.client.UpdateStateMachine(context.Background(), &sfn.UpdateStateMachineInput{
			StateMachineArn: aws.String(existing), Definition: aws.String(twoProblems)})
		assertAPIError(t, err, "InvalidDefinition", "Nowhere")
	})
	t.Run("update of a machine that does not exist", func(t *testing.T) {
		_, err := f.client.UpdateStateMachine(context.Background(), &sfn.UpdateStateMachineInput{
			StateMachineArn: aws.String(existing + "x"), Definition: aws.String(passMachine)})
		assertAPIError(t, err, "StateMachineDoesNotExist")
	})
}

func TestMachineARNErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ name, arn, code, part string }{
		{"not an ARN", "orders", "InvalidArn", "Invalid ARN prefix"},
		{"another service", "arn:aws:lambda:us-east-1:000000000000:function:orders", "InvalidArn", "Invalid ARN prefix"},
		{"an execution ARN", "arn:aws:states:us-east-1:000000000000:execution:orders:x", "InvalidArn", "Resource type not valid in this context: execution"},
		{"a machine that does not exist", "arn:aws:states:us-east-1:000000000000:stateMachine:nope", "StateMachineDoesNotExist", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(tt.arn)})
			assertAPIError(t, err, tt.code, tt.part)
		})
	}
}

func TestListStateMachinesPages(t *testing.T) {
	f := newFixture(t)
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("machine-%d", 4-i) // created out of name order
		f.createMachine(t, name, passMachine, "")
		want = append([]string{name}, want...)
	}
	var got []string
	var token *string
	pages := 0
	for {
		out, err := f.client.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{MaxResults: 2, NextToken: token})
		require.NoError(t, err)
		pages++
		for _, m := range out.StateMachines {
			got = append(got, aws.ToString(m.Name))
			assert.Equal(t, types.StateMachineTypeStandard, m.Type)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, pages)

	_, err := f.client.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{NextToken: aws.String("garbage")})
	assertAPIError(t, err, "InvalidToken")
	_, err = f.client.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{MaxResults: 1001})
	assertAPIError(t, err, "ValidationException", "1000")
}

func TestValidateStateMachineDefinition(t *testing.T) {
	f := newFixture(t)
	unreachable := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}}}`
	literalPath := `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x":"$.y"},"End":true}}}`
	tests := []struct {
		name       string
		definition string
		severity   types.ValidateStateMachineDefinitionSeverity
		maxResults int32
		result     types.ValidateStateMachineDefinitionResultCode
		codes      []string
		truncated  bool
	}{
		{"valid", passMachine, "", 0, "OK", nil, false},
		{"errors", unreachable, "", 0, "FAIL", []string{"UNREACHABLE_STATE"}, false},
		{"truncated", `{"StartAt":"X","States":{"A":{"Type":"Pass"},"B":{"Type":"Pass"}}}`, "", 1, "FAIL", []string{"SCHEMA_VALIDATION_FAILED"}, true},
		{"warnings hidden by default", literalPath, "", 0, "OK", nil, false},
		{"warnings on request", literalPath, "WARNING", 0, "OK", []string{"NO_DOLLAR"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.client.ValidateStateMachineDefinition(context.Background(), &sfn.ValidateStateMachineDefinitionInput{
				Definition: aws.String(tt.definition), Severity: tt.severity, MaxResults: tt.maxResults,
			})
			require.NoError(t, err)
			assert.Equal(t, tt.result, out.Result)
			var codes []string
			for _, d := range out.Diagnostics {
				codes = append(codes, aws.ToString(d.Code))
				assert.NotEmpty(t, aws.ToString(d.Message))
			}
			assert.Equal(t, tt.codes, codes)
			assert.Equal(t, tt.truncated, aws.ToBool(out.Truncated))
		})
	}
}
