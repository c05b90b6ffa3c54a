package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"

	"github.com/faresaga/faresaga/internal/intake"
)

// doorAnswer is the door's answer to POST /fares: a submission (200, 202) or an error.
type doorAnswer struct {
	status int
	body   string
	intake.Submission
	intake.ErrorBody
}

// submit posts a fare input to the door. It returns errors rather than failing the
// test, so goroutines can use it.
func submit(ctx context.Context, tg *Target, input string) (doorAnswer, error) {
	answer, err := tg.Door.Start(ctx, []byte(input))
	if err != nil {
		return doorAnswer{}, fmt.Errorf("POST /fares: %w", err)
	}
	out := doorAnswer{status: answer.Status, body: string(answer.Body)}
	if err := json.Unmarshal(answer.Body, &out.Submission); err != nil {
		return out, fmt.Errorf("POST /fares answered %d with no JSON: %s", answer.Status, answer.Body)
	}
	if err := json.Unmarshal(answer.Body, &out.ErrorBody); err != nil {
		return out, err
	}
	return out, nil
}

// submitTogether posts the same input n times at the same moment, as a client whose
// request timed out retries it while the first is still on its way.
func submitTogether(ctx context.Context, tg *Target, input string, n int) ([]doorAnswer, []error) {
	answers, errs := make([]doorAnswer, n), make([]error, n)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			answers[i], errs[i] = submit(ctx, tg, input)
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
	return answers, errs
}

// fareStatus asks the door where a fare stands (GET /fares/{fareId}).
func fareStatus(t *testing.T, tg *Target, fareID string) (int, intake.FareStatus) {
	t.Helper()
	answer, err := tg.Door.Status(context.Background(), fareID)
	if err != nil {
		t.Fatalf("GET /fares/%s: %v", fareID, err)
	}
	var status intake.FareStatus
	if answer.Status == 200 {
		if err := json.Unmarshal(answer.Body, &status); err != nil {
			t.Fatalf("GET /fares/%s answered %s", fareID, answer.Body)
		}
	}
	return answer.Status, status
}

// assertNoExecution checks that Step Functions has no execution of the name.
func assertNoExecution(t *testing.T, tg *Target, name string) {
	t.Helper()
	_, err := tg.SFN.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN(tg, name))})
	var missing *types.ExecutionDoesNotExist
	assert.True(t, errors.As(err, &missing), "no execution named %s may exist: %v", name, err)
}
