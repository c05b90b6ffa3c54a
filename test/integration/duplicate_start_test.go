package integration

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// duplicateStarts is how many clients start the same fare at once, as a client whose
// StartExecution timed out retries it.
const duplicateStarts = 4

func TestTheSameFareStartedTwiceRunsOnce(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	f := newFare(fareID("twice"), customerID("twice", ""))
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.Execution)
	defer cancel()

	arns, errs := startTogether(ctx, tg, f.FareID, f.JSON(), duplicateStarts)

	// While the execution runs, the same name and input is the same execution; once
	// it has ended, Step Functions refuses the name. Never a second execution.
	var arn string
	for i, err := range errs {
		if err != nil {
			assertAlreadyExists(t, err)
			continue
		}
		if arn == "" {
			arn = arns[i]
		}
		assert.Equal(t, arn, arns[i], "the same name and input is the same execution")
	}
	require.NotEmpty(t, arn, "one start created the execution")
	t.Logf("%d of %d simultaneous starts returned the running execution", duplicateStarts-countErrors(errs), duplicateStarts)
	x := awaitFinished(t, ctx, tg, arn)
	require.Equal(t, types.ExecutionStatusSucceeded, x.Status, "%s: %s", x.errorName(), x.cause())

	t.Run("a closed execution's name is refused", func(t *testing.T) {
		_, err := startExecution(ctx, tg, f.FareID, f.JSON())
		assertAlreadyExists(t, err)
	})
	t.Run("another input under the same name is refused", func(t *testing.T) {
		other := f
		other.Amount = 9999
		_, err := startExecution(ctx, tg, f.FareID, other.JSON())
		assertAlreadyExists(t, err)
	})

	acct := readAccount(t, tg, f.CustomerID)
	assert.Equal(t, f.Amount, acct.balance("EUR"), "one credit")
	assert.Len(t, acct.fareEntries(f.FareID), 1, "one ledger entry")
	awaitOutcome(t, tg, f.FareID)
	assert.Len(t, tg.Outcomes.Received(f.FareID), 1, "one outcome message")
}

// startTogether starts n executions of the same name and input at the same moment.
func startTogether(ctx context.Context, tg *Target, name, input string, n int) ([]string, []error) {
	arns, errs := make([]string, n), make([]error, n)
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			arns[i], errs[i] = startExecution(ctx, tg, name, input)
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
	return arns, errs
}

func assertAlreadyExists(t *testing.T, err error) {
	t.Helper()
	var exists *types.ExecutionAlreadyExists
	assert.True(t, errors.As(err, &exists), "want ExecutionAlreadyExists, got %v", err)
}

func countErrors(errs []error) int {
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
		}
	}
	return n
}
