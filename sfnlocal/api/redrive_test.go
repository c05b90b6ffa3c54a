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

// secondTimeLucky fails its first run at the Choice (no rule matches while RedriveCount
// is 0) and succeeds once redriven.
const secondTimeLucky = `{"StartAt":"Prepare","States":{
	"Prepare":{"Type":"Pass","Result":"prepared","ResultPath":"$.step","Next":"Check"},
	"Check":{"Type":"Choice","Choices":[{"Variable":"$$.Execution.RedriveCount","NumericGreaterThan":0,"Next":"Done"}]},
	"Done":{"Type":"Succeed"}}}`

func TestRedriveExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	machine := f.createMachine(t, "lucky", secondTimeLucky, "")
	arn := f.start(t, machine, "fare-1", `{"fare":1}`)
	other := f.start(t, machine, "fare-2", `{}`)
	failed := f.waitDone(t, arn)
	f.waitDone(t, other)
	require.Equal(t, types.ExecutionStatusFailed, failed.Status)
	assert.Equal(t, "States.NoChoiceMatched", aws.ToString(failed.Error))
	assert.Equal(t, types.ExecutionRedriveStatusRedrivable, failed.RedriveStatus)
	assert.Equal(t, int32(0), aws.ToInt32(failed.RedriveCount))
	assert.Nil(t, failed.RedriveDate)

	redriven, err := f.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn), ClientToken: aws.String("operator-1")})
	require.NoError(t, err)
	done := f.waitDone(t, arn)
	require.Equal(t, types.ExecutionStatusSucceeded, done.Status)
	assert.JSONEq(t, `{"fare":1,"step":"prepared"}`, aws.ToString(done.Output))
	assert.Equal(t, int32(1), aws.ToInt32(done.RedriveCount))
	assert.Equal(t, redriven.RedriveDate.UTC(), done.RedriveDate.UTC())
	assert.Equal(t, types.ExecutionRedriveStatusNotRedrivable, done.RedriveStatus)
	assert.Equal(t, "Execution is SUCCEEDED and cannot be redriven", aws.ToString(done.RedriveStatusReason))
	assert.Nil(t, done.Error, "the earlier failure is gone")

	again, err := f.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn), ClientToken: aws.String("operator-1")})
	require.NoError(t, err, "the same client token answers with the redrive it made")
	assert.Equal(t, redriven.RedriveDate.UTC(), again.RedriveDate.UTC())
	_, err = f.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn), ClientToken: aws.String("operator-2")})
	assertAPIError(t, err, "ExecutionNotRedrivable", arn, "Execution is SUCCEEDED and cannot be redriven")

	history, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	var kinds []types.HistoryEventType
	var redrivenEvent *types.HistoryEvent
	for i, e := range history.Events {
		kinds = append(kinds, e.Type)
		if e.Type == types.HistoryEventTypeExecutionRedriven {
			redrivenEvent = &history.Events[i]
		}
	}
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered",
		"ExecutionFailed", "ExecutionRedriven", "ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered",
		"SucceedStateExited", "ExecutionSucceeded"}, kinds, "Prepare does not run again")
	require.NotNil(t, redrivenEvent)
	assert.Equal(t, int32(1), aws.ToInt32(redrivenEvent.ExecutionRedrivenEventDetails.RedriveCount))
	assert.Equal(t, int64(5), redrivenEvent.PreviousEventId)

	for filter, want := range map[types.ExecutionRedriveFilter][]string{
		types.ExecutionRedriveFilterRedriven: {arn}, types.ExecutionRedriveFilterNotRedriven: {other}, "": {other, arn},
	} {
		list, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine), RedriveFilter: filter})
		require.NoError(t, err)
		var got []string
		for _, item := range list.Executions {
			got = append(got, aws.ToString(item.ExecutionArn))
			if aws.ToString(item.ExecutionArn) == arn {
				assert.Equal(t, int32(1), aws.ToInt32(item.RedriveCount))
				assert.NotNil(t, item.RedriveDate)
			}
		}
		assert.Equal(t, want, got, "redriveFilter %q", filter)
	}
}

func TestRedriveExecutionWithoutClientTokenAndErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	machine := f.createMachine(t, "lucky", secondTimeLucky, "")
	express := f.createMachine(t, "fast", failMachine, types.StateMachineTypeExpress)
	arn := f.start(t, machine, "x", "")
	f.waitDone(t, arn)
	// The SDK fills in a client token of its own on every call.
	_, err := f.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusSucceeded, f.waitDone(t, arn).Status)

	expressARN := f.start(t, express, "", "")
	tests := []struct {
		name, arn, token, code, message string
	}{
		{"unknown execution", "arn:aws:states:us-east-1:000000000000:execution:lucky:nope", "", "ExecutionDoesNotExist", "Execution Does Not Exist"},
		{"not an execution ARN", machine, "", "InvalidArn", "Resource type not valid in this context"},
		{"express", expressARN, "", "StateMachineTypeNotSupported", "not supported"},
		{"token too long", arn, string(make([]byte, 65)), "ValidationException", "clientToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sfn.RedriveExecutionInput{ExecutionArn: aws.String(tt.arn)}
			if tt.token != "" {
				in.ClientToken = aws.String(tt.token)
			}
			_, err := f.client.RedriveExecution(ctx, in)
			assertAPIError(t, err, tt.code, tt.message)
		})
	}
}

func TestRedrivenExecutionsAreNotEvictedWhileRunning(t *testing.T) {
	f := newFixture(t, withMaxFinished(1))
	machine := f.createMachine(t, "lucky", secondTimeLucky, "")
	first := f.start(t, machine, "first", "")
	f.waitDone(t, first)
	_, err := f.client.RedriveExecution(context.Background(), &sfn.RedriveExecutionInput{ExecutionArn: aws.String(first)})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusSucceeded, f.waitDone(t, first).Status)
	second := f.start(t, machine, "second", "")
	f.waitDone(t, second)
	require.Eventually(t, func() bool {
		_, ok := f.server.store.execution(first)
		return !ok
	}, 5e9, 1e6, "the oldest finished execution is evicted once, after its redrive ended")
	_, ok := f.server.store.execution(second)
	assert.True(t, ok)
	f.server.store.mu.RLock()
	defer f.server.store.mu.RUnlock()
	assert.Len(t, f.server.store.finished, 1)
}
