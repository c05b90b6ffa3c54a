package api

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/task"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestStartAndDescribeExecution(t *testing.T) {
	f := newFixture(t)
	machine := f.createMachine(t, "work", workerMachine, "")
	tests := []struct {
		name, executionName, input string
		wantInput, wantOutput      string
	}{
		{"named, with input", "first", `{"a":1}`, `{"a":1}`, `{"worked":true,"in":{"a":1}}`},
		{"unnamed gets a UUID, input defaults to {}", "", "", `{}`, `{"worked":true,"in":{}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := f.start(t, machine, tt.executionName, tt.input)
			out := f.waitDone(t, arn)
			name := aws.ToString(out.Name)
			if tt.executionName == "" {
				assert.Regexp(t, uuidPattern, name)
			} else {
				assert.Equal(t, tt.executionName, name)
			}
			assert.Equal(t, "arn:aws:states:us-east-1:000000000000:execution:work:"+name, arn)
			assert.Equal(t, machine, aws.ToString(out.StateMachineArn))
			assert.Equal(t, types.ExecutionStatusSucceeded, out.Status)
			assert.Equal(t, tt.wantInput, aws.ToString(out.Input))
			assert.JSONEq(t, tt.wantOutput, aws.ToString(out.Output))
			assert.True(t, out.InputDetails.Included)
			assert.Equal(t, epoch, out.StartDate.UTC())
			require.NotNil(t, out.StopDate)
		})
	}
}

func TestDescribeFailedExecution(t *testing.T) {
	f := newFixture(t)
	out := f.waitDone(t, f.start(t, f.createMachine(t, "broken", failMachine, ""), "x", ""))
	assert.Equal(t, types.ExecutionStatusFailed, out.Status)
	assert.Equal(t, "Broken", aws.ToString(out.Error))
	assert.Equal(t, "on purpose", aws.ToString(out.Cause))
	assert.Nil(t, out.Output)
}

func TestExecutionNameIdempotency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	machine := f.createMachine(t, "gated", gateMachine, "")
	running := f.start(t, machine, "once", `{"n":1}`)

	again, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String("once"), Input: aws.String(`{"n":1}`)})
	require.NoError(t, err, "the same name and input while running is the same execution")
	assert.Equal(t, running, aws.ToString(again.ExecutionArn))

	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String("once"), Input: aws.String(`{"n":2}`)})
	assertAPIError(t, err, "ExecutionAlreadyExists", running)

	close(f.gate)
	f.waitDone(t, running)
	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Name: aws.String("once"), Input: aws.String(`{"n":1}`)})
	assertAPIError(t, err, "ExecutionAlreadyExists", running)
}

func TestExpressExecutionsHaveUniqueARNs(t *testing.T) {
	f := newFixture(t)
	machine := f.createMachine(t, "quick", passMachine, types.StateMachineTypeExpress)
	first, second := f.start(t, machine, "same", ""), f.start(t, machine, "same", "")
	assert.NotEqual(t, first, second, "Express execution names need not be unique")
	assert.True(t, strings.HasPrefix(first, "arn:aws:states:us-east-1:000000000000:express:quick:same:"), first)
	assert.Equal(t, types.ExecutionStatusSucceeded, f.waitDone(t, first).Status)
}

func TestStartExecutionErrors(t *testing.T) {
	f := newFixture(t)
	machine := f.createMachine(t, "work", passMachine, "")
	tests := []struct {
		name, arn string
		execution *string
		input     string
		code      string
		part      string
	}{
		{"malformed machine ARN", "work", nil, "{}", "InvalidArn", "Invalid ARN prefix"},
		{"machine that does not exist", machine + "-gone", nil, "{}", "StateMachineDoesNotExist", machine + "-gone"},
		{"name with a bracket", machine, aws.String("a[1]"), "{}", "InvalidName", "a[1]"},
		{"name with a control character", machine, aws.String("a\x01"), "{}", "InvalidName", ""},
		{"empty name", machine, aws.String(""), "{}", "ValidationException", "greater than or equal to 1"},
		{"input is not JSON", machine, nil, `{"a":`, "InvalidExecutionInput", "Invalid State Machine Execution Input"},
		{"input over 256 KiB", machine, nil, `"` + strings.Repeat("x", 256*1024) + `"`, "ValidationException", "262144"},
		{"unknown test case", machine + "#Nope", nil, "{}", "ValidationException", "No definitions for test case 'Nope'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{
				StateMachineArn: aws.String(tt.arn), Name: tt.execution, Input: aws.String(tt.input)})
			assertAPIError(t, err, tt.code, tt.part)
		})
	}
}

func TestStartSyncExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	express := f.createMachine(t, "sync", workerMachine, types.StateMachineTypeExpress)
	failing := f.createMachine(t, "sync-fail", failMachine, types.StateMachineTypeExpress)
	standard := f.createMachine(t, "standard", passMachine, "")

	out, err := f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Name: aws.String("now"), Input: aws.String(`{"k":"v"}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)
	assert.JSONEq(t, `{"worked":true,"in":{"k":"v"}}`, aws.ToString(out.Output))
	assert.Equal(t, `{"k":"v"}`, aws.ToString(out.Input))
	assert.Equal(t, express, aws.ToString(out.StateMachineArn))
	assert.True(t, strings.HasPrefix(aws.ToString(out.ExecutionArn), "arn:aws:states:us-east-1:000000000000:express:sync:now:"))
	assert.Equal(t, int64(64), out.BillingDetails.BilledMemoryUsedInMB)
	assert.Equal(t, int64(100), out.BillingDetails.BilledDurationInMilliseconds)

	out, err = f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(failing)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusFailed, out.Status)
	assert.Equal(t, "Broken", aws.ToString(out.Error))
	assert.Equal(t, "on purpose", aws.ToString(out.Cause))
	assert.Nil(t, out.Output)

	out, err = f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), IncludedData: types.IncludedDataMetadataOnly})
	require.NoError(t, err)
	assert.Nil(t, out.Input)
	assert.Nil(t, out.Output)

	_, err = f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(standard)})
	assertAPIError(t, err, "StateMachineTypeNotSupported")
}

func TestStopExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	arn := f.start(t, f.createMachine(t, "gated", gateMachine, ""), "stop-me", "")
	f.waitTaskStarted(t, arn)

	stopped, err := f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Operator"), Cause: aws.String("changed my mind")})
	require.NoError(t, err)
	out := f.waitDone(t, arn)
	assert.Equal(t, types.ExecutionStatusAborted, out.Status)
	assert.Equal(t, "Operator", aws.ToString(out.Error))
	assert.Equal(t, "changed my mind", aws.ToString(out.Cause))
	assert.Equal(t, out.StopDate, stopped.StopDate)

	_, err = f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
	assert.NoError(t, err, "stopping a finished execution changes nothing")

	_, err = f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String(strings.Repeat("e", 257))})
	assertAPIError(t, err, "ValidationException", "256")
}

func TestExecutionARNErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ name, arn, code, part string }{
		{"not an ARN", "x", "InvalidArn", "Invalid ARN prefix"},
		{"a machine ARN", "arn:aws:states:us-east-1:000000000000:stateMachine:m", "InvalidArn", "Resource type not valid in this context: stateMachine"},
		{"an execution that does not exist", "arn:aws:states:us-east-1:000000000000:execution:m:gone", "ExecutionDoesNotExist", "gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(tt.arn)})
			assertAPIError(t, err, tt.code, tt.part)
			_, err = f.client.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: aws.String(tt.arn)})
			assertAPIError(t, err, tt.code, tt.part)
			_, err = f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(tt.arn)})
			assertAPIError(t, err, tt.code, tt.part)
		})
	}
}

func TestListExecutions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gated := f.createMachine(t, "mixed", gateMachine, "")
	var names []string
	for i := range 5 {
		name := fmt.Sprintf("run-%d", i)
		names = append([]string{name}, names...) // newest first
		arn := f.start(t, gated, name, "")
		if i < 3 {
			_, err := f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
			require.NoError(t, err)
		}
	}

	list := func(t *testing.T, filter types.ExecutionStatus, pageSize int32) []string {
		var got []string
		var token *string
		for {
			out, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(gated), StatusFilter: filter, MaxResults: pageSize, NextToken: token})
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.Executions), int(pageSize))
			for _, x := range out.Executions {
				got = append(got, aws.ToString(x.Name))
				assert.Equal(t, gated, aws.ToString(x.StateMachineArn))
				if filter != "" {
					assert.Equal(t, filter, x.Status)
				}
			}
			if token = out.NextToken; token == nil {
				return got
			}
		}
	}
	assert.Equal(t, names, list(t, "", 2), "all, newest first, in pages of 2")
	assert.Equal(t, []string{"run-4", "run-3"}, list(t, types.ExecutionStatusRunning, 1))
	assert.Equal(t, []string{"run-2", "run-1", "run-0"}, list(t, types.ExecutionStatusAborted, 100))
	assert.Empty(t, list(t, types.ExecutionStatusSucceeded, 100))

	_, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(gated + "-gone")})
	assertAPIError(t, err, "StateMachineDoesNotExist")
	_, err = f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(gated), NextToken: aws.String("bm9wZQ")})
	assertAPIError(t, err, "InvalidToken")
	_, err = f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(gated), StatusFilter: "DONE"})
	assertAPIError(t, err, "ValidationException", "enum")
	_, err = f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{})
	assertAPIError(t, err, "ValidationException", "StateMachine ARN")
}

func TestFinishedExecutionsAreEvictedOldestFirst(t *testing.T) {
	f := newFixture(t, withMaxFinished(2))
	ctx := context.Background()
	longRunning := f.start(t, f.createMachine(t, "gated", gateMachine, ""), "long", "")
	quick := f.createMachine(t, "quick", passMachine, "")
	var finished []string
	for i := range 5 {
		arn := f.start(t, quick, fmt.Sprintf("q-%d", i), "")
		f.waitDone(t, arn)
		finished = append(finished, arn)
	}
	// Eviction follows finishing, on the execution's own goroutine: wait for it.
	require.Eventually(t, func() bool {
		_, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(finished[2])})
		return err != nil
	}, 5e9, 1e6)
	for i, arn := range finished {
		_, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if i < 3 {
			assertAPIError(t, err, "ExecutionDoesNotExist")
		} else {
			assert.NoError(t, err, "the two most recent finished executions are kept")
		}
	}
	out, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(longRunning)})
	require.NoError(t, err, "a running execution is never evicted")
	assert.Equal(t, types.ExecutionStatusRunning, out.Status)
	listed, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(quick)})
	require.NoError(t, err)
	assert.Len(t, listed.Executions, 2)
}

func TestMockedTestCases(t *testing.T) {
	mocks, err := task.ParseMockConfig([]byte(`{
		"StateMachines": {"mocked": {"TestCases": {"HappyPath": {"Work": "Fine"}, "SadPath": {"Work": "Broken"}}}},
		"MockedResponses": {
			"Fine": {"0": {"Return": {"StatusCode": 200, "Payload": {"mocked": true}}}},
			"Broken": {"0": {"Throw": {"Error": "Mock.Failure", "Cause": "mocked"}}}
		}}`))
	require.NoError(t, err)
	f := newFixture(t, withMocks(mocks))
	machine := f.createMachine(t, "mocked", workerMachine, "")
	tests := []struct {
		name, arn       string
		status          types.ExecutionStatus
		output, errName string
	}{
		{"happy path", machine + "#HappyPath", types.ExecutionStatusSucceeded, `{"mocked":true}`, ""},
		{"sad path", machine + "#SadPath", types.ExecutionStatusFailed, "", "Mock.Failure"},
		{"no test case calls the worker", machine, types.ExecutionStatusSucceeded, `{"worked":true,"in":{}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := f.waitDone(t, f.start(t, tt.arn, "", ""))
			assert.Equal(t, tt.status, out.Status)
			assert.Equal(t, machine, aws.ToString(out.StateMachineArn), "the test case is not part of the machine ARN")
			if tt.output != "" {
				assert.JSONEq(t, tt.output, aws.ToString(out.Output))
			}
			assert.Equal(t, tt.errName, aws.ToString(out.Error))
		})
	}
	_, err = f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(machine + "#Unknown")})
	assertAPIError(t, err, "ValidationException", "No definitions for test case 'Unknown' and state machine 'mocked'")
}
