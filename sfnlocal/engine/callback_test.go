package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

const callbackMachine = `{"StartAt":"Wait","States":{"Wait":{"Type":"Task",
	"Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",%s
	"Parameters":{"FunctionName":"` + fnARN + `","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`

// tokens hands each task token the worker receives to the test.
func tokenWorker(tokens chan<- string) func(context.Context, map[string]any) (map[string]any, error) {
	return func(ctx context.Context, in map[string]any) (map[string]any, error) {
		tokens <- in["token"].(string)
		return map[string]any{"accepted": true}, nil
	}
}

func startCallback(t *testing.T, limits string) (*Engine, *Execution, string) {
	t.Helper()
	tokens := make(chan string, 1)
	e, _ := testEngine(t, tokenWorker(tokens))
	m, err := Compile([]byte(fmt.Sprintf(callbackMachine, limits)))
	require.NoError(t, err)
	x, err := e.Start(context.Background(), m, StartInput{Name: "cb"})
	require.NoError(t, err)
	select {
	case token := <-tokens:
		return e, x, token
	case <-time.After(5 * time.Second):
		t.Fatal("the worker never received a token")
	}
	return nil, nil, ""
}

func TestCallbackTaskSucceeds(t *testing.T) {
	e, x, token := startCallback(t, "")
	require.NoError(t, e.SendTaskSuccess(token, `{"done":42}`))
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Succeeded, r.Status, r.Cause)
	assert.JSONEq(t, `{"done":42}`, r.Output)
	assert.Contains(t, eventTypes(x), "TaskSubmitted")
	assert.ErrorIs(t, e.SendTaskSuccess(token, `{}`), ErrTaskTokenInvalid, "a token is answered once")
}

func TestCallbackTaskFails(t *testing.T) {
	e, x, token := startCallback(t, "")
	require.NoError(t, e.SendTaskHeartbeat(token))
	require.NoError(t, e.SendTaskFailure(token, "Rejected", "the worker said no"))
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Failed, r.Status)
	assert.Equal(t, "Rejected", r.Error)
	assert.Equal(t, "the worker said no", r.Cause)
}

func TestCallbackHeartbeatTimeout(t *testing.T) {
	e, x, token := startCallback(t, `"TimeoutSeconds":30,"HeartbeatSeconds":1,`)
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, failure.HeartbeatTimeout, r.Error)
	assert.ErrorIs(t, e.SendTaskSuccess(token, `{}`), ErrTaskTimedOut, "a late answer is told the task timed out")
}

func TestCallbackRefusesBadAnswers(t *testing.T) {
	e, x, token := startCallback(t, "")
	assert.ErrorIs(t, e.SendTaskSuccess("no-such-token", `{}`), ErrTaskTokenInvalid)
	assert.ErrorIs(t, e.SendTaskHeartbeat("no-such-token"), ErrTaskTokenInvalid)
	assert.ErrorIs(t, e.SendTaskSuccess(token, `{not json`), ErrInvalidTaskOutput)
	x.Stop("", "")
	assert.Equal(t, Aborted, x.Result().Status)
}
