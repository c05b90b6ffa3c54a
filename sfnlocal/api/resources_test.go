package api

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func result(v string) string {
	return `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"` + v + `","End":true}}}`
}

func TestVersionsAndAliases(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	created, err := f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("versioned"),
		Definition: aws.String(result("one")), RoleArn: aws.String(roleARN), Publish: true, VersionDescription: aws.String("first")})
	require.NoError(t, err)
	machine := aws.ToString(created.StateMachineArn)
	v1 := aws.ToString(created.StateMachineVersionArn)
	assert.Equal(t, machine+":1", v1)

	again, err := f.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Equal(t, v1, aws.ToString(again.StateMachineVersionArn), "publishing an unchanged revision gives the latest version back")

	updated, err := f.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(machine),
		Definition: aws.String(result("two")), Publish: true})
	require.NoError(t, err)
	v2 := aws.ToString(updated.StateMachineVersionArn)
	assert.Equal(t, machine+":2", v2)
	_, err = f.client.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(machine), RevisionId: aws.String("stale")})
	assertAPIError(t, err, "ConflictException", "The current State Machine revision is "+aws.ToString(updated.RevisionId))

	described, err := f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	require.NoError(t, err)
	assert.Equal(t, result("one"), aws.ToString(described.Definition), "a version keeps the definition it froze")
	assert.Equal(t, "first", aws.ToString(described.Description))

	listed, err := f.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(machine), MaxResults: 1})
	require.NoError(t, err)
	require.Len(t, listed.StateMachineVersions, 1)
	assert.Equal(t, v2, aws.ToString(listed.StateMachineVersions[0].StateMachineVersionArn), "newest first")
	rest, err := f.client.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(machine), NextToken: listed.NextToken})
	require.NoError(t, err)
	require.Len(t, rest.StateMachineVersions, 1)
	assert.Equal(t, v1, aws.ToString(rest.StateMachineVersions[0].StateMachineVersionArn))

	aliasOut, err := f.client.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("prod"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v1), Weight: 100}}})
	require.NoError(t, err)
	prod := aws.ToString(aliasOut.StateMachineAliasArn)
	assert.Equal(t, machine+":prod", prod)

	for target, want := range map[string]string{v1: `"one"`, v2: `"two"`, prod: `"one"`, machine: `"two"`} {
		started, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(target)})
		require.NoError(t, err)
		out := f.waitDone(t, aws.ToString(started.ExecutionArn))
		assert.Equal(t, want, aws.ToString(out.Output), target)
		assert.Equal(t, machine, aws.ToString(out.StateMachineArn))
		switch target {
		case prod:
			assert.Equal(t, prod, aws.ToString(out.StateMachineAliasArn))
			assert.Equal(t, v1, aws.ToString(out.StateMachineVersionArn))
		case v1, v2:
			assert.Equal(t, target, aws.ToString(out.StateMachineVersionArn))
		}
	}
	throughAlias, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(prod)})
	require.NoError(t, err)
	assert.Len(t, throughAlias.Executions, 1)

	_, err = f.client.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(prod),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v1), Weight: 50}, {StateMachineVersionArn: aws.String(v2), Weight: 50}}})
	require.NoError(t, err)
	seen := map[string]int{}
	for range 60 {
		started, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(prod)})
		require.NoError(t, err)
		seen[aws.ToString(f.waitDone(t, aws.ToString(started.ExecutionArn)).Output)]++
	}
	assert.Greater(t, seen[`"one"`], 5, "weighted routing sends some to each version: %v", seen)
	assert.Greater(t, seen[`"two"`], 5, "weighted routing sends some to each version: %v", seen)

	_, err = f.client.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(prod),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v1), Weight: 60}, {StateMachineVersionArn: aws.String(v2), Weight: 60}}})
	assertAPIError(t, err, "ValidationException", "weights must equal 100")
	_, err = f.client.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v2)})
	assertAPIError(t, err, "ConflictException", "referenced by an alias", "[prod]")

	aliases, err := f.client.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	require.Len(t, aliases.StateMachineAliases, 1)
	describedAlias, err := f.client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(prod)})
	require.NoError(t, err)
	assert.Len(t, describedAlias.RoutingConfiguration, 2)

	_, err = f.client.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(prod)})
	require.NoError(t, err)
	_, err = f.client.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v2)})
	require.NoError(t, err)
	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(v2)})
	assertAPIError(t, err, "ResourceNotFound")
}

func TestTagsAndDescribeStateMachineForExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	created, err := f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("tagged"), Definition: aws.String(result("a")),
		RoleArn: aws.String(roleARN), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("fares")}}})
	require.NoError(t, err)
	machine := aws.ToString(created.StateMachineArn)
	_, err = f.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(machine),
		Tags: []types.Tag{{Key: aws.String("stage"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("payments")}}})
	require.NoError(t, err)
	_, err = f.client.UntagResource(ctx, &sfn.UntagResourceInput{ResourceArn: aws.String(machine), TagKeys: []string{"stage"}})
	require.NoError(t, err)
	tags, err := f.client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(machine)})
	require.NoError(t, err)
	require.Len(t, tags.Tags, 1)
	assert.Equal(t, "payments", aws.ToString(tags.Tags[0].Value))
	_, err = f.client.ListTagsForResource(ctx, &sfn.ListTagsForResourceInput{ResourceArn: aws.String(machine + "-nope")})
	assertAPIError(t, err, "ResourceNotFound", "Resource not found")
	_, err = f.client.TagResource(ctx, &sfn.TagResourceInput{ResourceArn: aws.String(machine), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	assertAPIError(t, err, "ValidationException")

	arn := f.start(t, machine, "before-update", "")
	f.waitDone(t, arn)
	_, err = f.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(machine), Definition: aws.String(result("b"))})
	require.NoError(t, err)
	forExecution, err := f.client.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, result("a"), aws.ToString(forExecution.Definition), "the definition the execution ran, not the update")
	assert.Equal(t, machine, aws.ToString(forExecution.StateMachineArn))
}

func TestActivities(t *testing.T) {
	f := newFixture(t, func(o *Options) {})
	f.server.activityPoll = 200 * time.Millisecond
	ctx := context.Background()
	created, err := f.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("approve")})
	require.NoError(t, err)
	activityARN := aws.ToString(created.ActivityArn)
	assert.Equal(t, "arn:aws:states:us-east-1:000000000000:activity:approve", activityARN)
	again, err := f.client.CreateActivity(ctx, &sfn.CreateActivityInput{Name: aws.String("approve")})
	require.NoError(t, err)
	assert.Equal(t, activityARN, aws.ToString(again.ActivityArn), "idempotent by name")

	empty, err := f.client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(activityARN)})
	require.NoError(t, err)
	assert.Nil(t, empty.TaskToken, "the long poll ends with no task")

	machine := f.createMachine(t, "with-activity", `{"StartAt":"Approve","States":{"Approve":{"Type":"Task","Resource":"`+activityARN+`",
		"Parameters":{"fare.$":"$.fare"},"ResultPath":"$.approval","HeartbeatSeconds":30,"End":true}}}`, "")
	arn := f.start(t, machine, "needs-approval", `{"fare":"f1"}`)
	task, err := f.client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(activityARN), WorkerName: aws.String("clerk")})
	require.NoError(t, err)
	for task.TaskToken == nil { // the execution may not have scheduled it yet
		task, err = f.client.GetActivityTask(ctx, &sfn.GetActivityTaskInput{ActivityArn: aws.String(activityARN), WorkerName: aws.String("clerk")})
		require.NoError(t, err)
	}
	assert.JSONEq(t, `{"fare":"f1"}`, aws.ToString(task.Input))
	_, err = f.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: task.TaskToken})
	require.NoError(t, err)
	_, err = f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"ok":true}`)})
	require.NoError(t, err)
	out := f.waitDone(t, arn)
	require.Equal(t, types.ExecutionStatusSucceeded, out.Status)
	assert.JSONEq(t, `{"fare":"f1","approval":{"ok":true}}`, aws.ToString(out.Output))
	history, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	var kinds []types.HistoryEventType
	for _, e := range history.Events {
		kinds = append(kinds, e.Type)
		if e.Type == types.HistoryEventTypeActivityStarted {
			assert.Equal(t, "clerk", aws.ToString(e.ActivityStartedEventDetails.WorkerName))
		}
		if e.Type == types.HistoryEventTypeActivityScheduled {
			assert.Equal(t, activityARN, aws.ToString(e.ActivityScheduledEventDetails.Resource))
			assert.Equal(t, int64(30), aws.ToInt64(e.ActivityScheduledEventDetails.HeartbeatInSeconds))
		}
	}
	assert.Equal(t, []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
		"ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}, kinds)

	listed, err := f.client.ListActivities(ctx, &sfn.ListActivitiesInput{})
	require.NoError(t, err)
	require.Len(t, listed.Activities, 1)
	described, err := f.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(activityARN)})
	require.NoError(t, err)
	assert.Equal(t, "approve", aws.ToString(described.Name))
	_, err = f.client.DeleteActivity(ctx, &sfn.DeleteActivityInput{ActivityArn: aws.String(activityARN)})
	require.NoError(t, err)
	_, err = f.client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: aws.String(activityARN)})
	assertAPIError(t, err, "ActivityDoesNotExist", "Activity Does Not Exist")
}
