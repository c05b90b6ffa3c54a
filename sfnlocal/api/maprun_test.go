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

const distributedMap = `{"StartAt":"M","States":{"M":{"Type":"Map","Label":"items","MaxConcurrency":2,
  "ToleratedFailureCount":1,
  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
    "StartAt":"Each","States":{"Each":{"Type":"Pass","End":true}}},"End":true}}}`

func TestMapRuns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	machine := f.createMachine(t, "distributed", distributedMap, types.StateMachineTypeStandard)
	execution := f.start(t, machine, "run", `[1,2,3]`)
	done := f.waitDone(t, execution)
	require.Equal(t, types.ExecutionStatusSucceeded, done.Status)

	listed, err := f.client.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String(execution)})
	require.NoError(t, err)
	require.Len(t, listed.MapRuns, 1)
	run := listed.MapRuns[0]
	assert.Regexp(t, `^arn:aws:states:[^:]+:\d+:mapRun:distributed/items:[0-9a-f-]{36}$`, aws.ToString(run.MapRunArn))
	assert.Regexp(t, `:stateMachine:distributed/items$`, aws.ToString(run.StateMachineArn))
	assert.NotNil(t, run.StopDate)

	described, err := f.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run.MapRunArn})
	require.NoError(t, err)
	assert.Equal(t, types.MapRunStatusSucceeded, described.Status)
	assert.Equal(t, execution, aws.ToString(described.ExecutionArn))
	assert.Equal(t, int32(2), described.MaxConcurrency)
	assert.Equal(t, int64(1), described.ToleratedFailureCount)
	assert.Equal(t, int64(3), described.ItemCounts.Total)
	assert.Equal(t, int64(3), described.ItemCounts.Succeeded)

	_, err = f.client.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: run.MapRunArn, MaxConcurrency: aws.Int32(5)})
	require.NoError(t, err)
	described, err = f.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: run.MapRunArn})
	require.NoError(t, err)
	assert.Equal(t, int32(5), described.MaxConcurrency)

	children, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: run.MapRunArn})
	require.NoError(t, err)
	assert.Empty(t, children.Executions)

	history, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execution)})
	require.NoError(t, err)
	var started bool
	for _, e := range history.Events {
		if e.Type == types.HistoryEventTypeMapRunStarted {
			started = true
			assert.Equal(t, aws.ToString(run.MapRunArn), aws.ToString(e.MapRunStartedEventDetails.MapRunArn))
		}
	}
	assert.True(t, started, "a MapRunStarted event")

	missing := "arn:aws:states:us-east-1:123456789012:mapRun:distributed/items:00000000-0000-0000-0000-000000000000"
	_, err = f.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(missing)})
	assertAPIError(t, err, "ResourceNotFound")
	_, err = f.client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(machine)})
	assertAPIError(t, err, "InvalidArn")
}
