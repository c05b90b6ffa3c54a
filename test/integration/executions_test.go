package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/statemachine"
)

// finished is an execution that has ended, with its whole history.
type finished struct {
	*sfn.DescribeExecutionOutput
	History []types.HistoryEvent
}

func (x finished) errorName() string { return aws.ToString(x.Error) }
func (x finished) cause() string     { return aws.ToString(x.Cause) }

// runFare submits a fare to the door, which must start it (202), and waits, up to
// timeout, for the execution's end.
func runFare(t *testing.T, tg *Target, fareID, input string, timeout time.Duration) finished {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	answer, err := submit(ctx, tg, input)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, answer.status, "the door starts a new fare: %s", answer.body)
	require.Equal(t, fareID, answer.FareID)
	require.Equal(t, executionARN(tg, fareID), answer.ExecutionArn, "the execution is named after the fareId")
	return awaitFinished(t, ctx, tg, answer.ExecutionArn)
}

// awaitFinished waits for an execution's end and reads its history.
func awaitFinished(t *testing.T, ctx context.Context, tg *Target, arn string) finished {
	t.Helper()
	out, err := waitForEnd(ctx, tg, arn)
	require.NoError(t, err)
	history, err := executionHistory(ctx, tg, arn)
	require.NoError(t, err)
	return finished{DescribeExecutionOutput: out, History: history}
}

// executionARN is the ARN of the machine's execution named name.
func executionARN(tg *Target, name string) string {
	return strings.Replace(tg.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// waitForEnd polls DescribeExecution until the execution is no longer RUNNING. It
// returns errors rather than failing the test, so goroutines can use it.
func waitForEnd(ctx context.Context, tg *Target, arn string) (*sfn.DescribeExecutionOutput, error) {
	for {
		out, err := tg.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", arn, err)
		}
		if out.Status != types.ExecutionStatusRunning {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s still RUNNING: %w", arn, ctx.Err())
		case <-time.After(tg.Timeouts.Poll):
		}
	}
}

// executionHistory reads every page of the history, oldest event first.
func executionHistory(ctx context.Context, tg *Target, arn string) ([]types.HistoryEvent, error) {
	var events []types.HistoryEvent
	pages := sfn.NewGetExecutionHistoryPaginator(tg.SFN, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), MaxResults: 100,
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", arn, err)
		}
		events = append(events, page.Events...)
	}
	return events, nil
}

// enteredStates lists the states the execution entered, in order.
func enteredStates(history []types.HistoryEvent) []string {
	var states []string
	for _, e := range history {
		if e.StateEnteredEventDetails != nil {
			states = append(states, aws.ToString(e.StateEnteredEventDetails.Name))
		}
	}
	return states
}

// compensationsRun lists the compensation states the execution entered, in order.
func compensationsRun(history []types.HistoryEvent) []string {
	var states []string
	for _, state := range enteredStates(history) {
		if statemachine.IsCompensation(state) {
			states = append(states, state)
		}
	}
	return states
}

// failedTaskErrors lists the errors of the failed Task attempts, in order.
func failedTaskErrors(history []types.HistoryEvent) []string {
	var errs []string
	for _, e := range history {
		if e.Type == types.HistoryEventTypeTaskFailed && e.TaskFailedEventDetails != nil {
			errs = append(errs, aws.ToString(e.TaskFailedEventDetails.Error))
		}
	}
	return errs
}
