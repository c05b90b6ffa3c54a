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

func TestGetExecutionHistoryPages(t *testing.T) {
	f := newFixture(t)
	arn := f.start(t, f.createMachine(t, "work", workerMachine, ""), "x", `{"a":1}`)
	f.waitDone(t, arn)

	pages := func(t *testing.T, reverse bool) [][]int64 {
		var ids [][]int64
		var token *string
		for {
			out, err := f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{
				ExecutionArn: aws.String(arn), MaxResults: 3, ReverseOrder: reverse, NextToken: token})
			require.NoError(t, err)
			var page []int64
			for _, e := range out.Events {
				page = append(page, e.Id)
				assert.Equal(t, epoch, e.Timestamp.UTC())
			}
			ids = append(ids, page)
			if token = out.NextToken; token == nil {
				return ids
			}
		}
	}
	assert.Equal(t, [][]int64{{1, 2, 3}, {4, 5, 6}, {7}}, pages(t, false))
	assert.Equal(t, [][]int64{{7, 6, 5}, {4, 3, 2}, {1}}, pages(t, true))

	all, err := f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	require.Len(t, all.Events, 7)
	first, last := all.Events[0], all.Events[6]
	assert.Equal(t, types.HistoryEventTypeExecutionStarted, first.Type)
	assert.Equal(t, `{"a":1}`, aws.ToString(first.ExecutionStartedEventDetails.Input))
	assert.Equal(t, roleARN, aws.ToString(first.ExecutionStartedEventDetails.RoleArn))
	assert.Equal(t, types.HistoryEventTypeLambdaFunctionScheduled, all.Events[2].Type)
	assert.Equal(t, workerARN, aws.ToString(all.Events[2].LambdaFunctionScheduledEventDetails.Resource))
	assert.Equal(t, types.HistoryEventTypeExecutionSucceeded, last.Type)
	assert.Equal(t, int64(6), last.PreviousEventId)
	assert.JSONEq(t, `{"worked":true,"in":{"a":1}}`, aws.ToString(last.ExecutionSucceededEventDetails.Output))

	_, err = f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), NextToken: aws.String("garbage")})
	assertAPIError(t, err, "InvalidToken")
	_, err = f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), NextToken: aws.String(encodeNumberToken(historyPageToken, 99))})
	assertAPIError(t, err, "InvalidToken")
}

func TestGetExecutionHistoryWithoutExecutionData(t *testing.T) {
	f := newFixture(t)
	arn := f.start(t, f.createMachine(t, "work", workerMachine, ""), "x", `{"secret":1}`)
	f.waitDone(t, arn)
	out, err := f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	require.NoError(t, err)
	require.Len(t, out.Events, 7)
	started := out.Events[0].ExecutionStartedEventDetails
	assert.Nil(t, started.Input)
	assert.Equal(t, roleARN, aws.ToString(started.RoleArn), "only inputs and outputs go")
	assert.Nil(t, out.Events[1].StateEnteredEventDetails.Input)
	assert.Equal(t, "Work", aws.ToString(out.Events[1].StateEnteredEventDetails.Name))
	assert.Nil(t, out.Events[2].LambdaFunctionScheduledEventDetails.Input)
	assert.Nil(t, out.Events[6].ExecutionSucceededEventDetails.Output)
	assert.Equal(t, epoch, out.Events[6].Timestamp.UTC())
}
