package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/task"
)

const tokenWorkerARN = "arn:aws:lambda:us-east-1:000000000000:function:token-worker"

// callbackMachine hands its task token to token-worker and waits for an answer;
// limits adds TimeoutSeconds or HeartbeatSeconds.
func callbackMachine(limits string) string {
	return `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",` + limits +
		`"Parameters":{"FunctionName":"` + tokenWorkerARN + `","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`
}

// startCallback starts a callback execution and returns its ARN and the token its
// worker received.
func startCallback(t *testing.T, f *fixture, tokens chan string, limits string) (string, string) {
	t.Helper()
	arn := f.start(t, f.createMachine(t, "callback", callbackMachine(limits), ""), "", "")
	select {
	case token := <-tokens:
		return arn, token
	case <-time.After(5 * time.Second):
		t.Fatal("the worker never received a token")
	}
	return "", ""
}

func newCallbackFixture(t *testing.T) (*fixture, chan string) {
	f := newFixture(t)
	tokens := make(chan string, 1)
	functions := task.NewFunctions(task.Env{})
	functions.RegisterFunction(tokenWorkerARN, func(_ context.Context, in map[string]any) (map[string]any, error) {
		tokens <- in["token"].(string)
		return map[string]any{}, nil
	})
	f.registry.UseFunctions(functions)
	return f, tokens
}

func TestSendTaskSuccessAndHeartbeat(t *testing.T) {
	f, tokens := newCallbackFixture(t)
	ctx := context.Background()
	arn, token := startCallback(t, f, tokens, "")
	_, err := f.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	require.NoError(t, err)
	_, err = f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	out := f.waitDone(t, arn)
	assert.Equal(t, types.ExecutionStatusSucceeded, out.Status)
	assert.JSONEq(t, `{"approved":true}`, aws.ToString(out.Output))

	_, err = f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	assertAPIError(t, err, "InvalidToken")
}

func TestSendTaskFailure(t *testing.T) {
	f, tokens := newCallbackFixture(t)
	arn, token := startCallback(t, f, tokens, "")
	_, err := f.client.SendTaskFailure(context.Background(), &sfn.SendTaskFailureInput{
		TaskToken: aws.String(token), Error: aws.String("Rejected"), Cause: aws.String("no")})
	require.NoError(t, err)
	out := f.waitDone(t, arn)
	assert.Equal(t, types.ExecutionStatusFailed, out.Status)
	assert.Equal(t, "Rejected", aws.ToString(out.Error))
	assert.Equal(t, "no", aws.ToString(out.Cause))
}

func TestSendTaskToATimedOutTask(t *testing.T) {
	f, tokens := newCallbackFixture(t)
	arn, token := startCallback(t, f, tokens, `"HeartbeatSeconds":1,`)
	out := f.waitDone(t, arn) // callback timeouts run on the wall clock: about a second
	assert.Equal(t, "States.HeartbeatTimeout", aws.ToString(out.Error))
	_, err := f.client.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	assertAPIError(t, err, "TaskTimedOut")
	_, err = f.client.SendTaskHeartbeat(context.Background(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(token)})
	assertAPIError(t, err, "TaskTimedOut")
}

func TestSendTaskErrors(t *testing.T) {
	f, tokens := newCallbackFixture(t)
	_, token := startCallback(t, f, tokens, "")
	ctx := context.Background()
	tests := []struct {
		name string
		send func() error
		code string
	}{
		{"unknown token", func() error {
			_, err := f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("nope"), Output: aws.String(`{}`)})
			return err
		}, "InvalidToken"},
		{"output is not JSON", func() error {
			_, err := f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{`)})
			return err
		}, "InvalidOutput"},
		{"token too long", func() error {
			_, err := f.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(strings.Repeat("t", 2049))})
			return err
		}, "ValidationException"},
		{"failure with a cause too long", func() error {
			_, err := f.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Cause: aws.String(strings.Repeat("c", 32769))})
			return err
		}, "ValidationException"},
		{"unknown token for a failure", func() error {
			_, err := f.client.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("nope")})
			return err
		}, "InvalidToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertAPIError(t, tt.send(), tt.code) })
	}
}
