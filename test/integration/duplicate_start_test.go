package integration

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/intake"
)

// duplicateStarts is how many clients submit the same fare at once, as a client whose
// request timed out retries it.
const duplicateStarts = 4

func TestTheSameFareSubmittedTwiceRunsOnce(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	f := newFare(fareID("twice"), customerID("twice", ""))
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.Execution)
	defer cancel()

	answers, errs := submitTogether(ctx, tg, f.JSON(), duplicateStarts)

	// Each is accepted: started now (202), or found started (200). Never a second execution.
	started := 0
	for i, err := range errs {
		require.NoError(t, err)
		require.Contains(t, []int{http.StatusAccepted, http.StatusOK}, answers[i].status, "%s", answers[i].body)
		assert.Equal(t, executionARN(tg, f.FareID), answers[i].ExecutionArn, "one execution, named after the fareId")
		if answers[i].status == http.StatusAccepted {
			started++
		}
	}
	require.NotZero(t, started, "one submission started the fare")
	t.Logf("%d of %d simultaneous submissions answered 202, the others 200", started, duplicateStarts)
	x := awaitFinished(t, ctx, tg, executionARN(tg, f.FareID))
	require.Equal(t, types.ExecutionStatusSucceeded, x.Status, "%s: %s", x.errorName(), x.cause())

	t.Run("submitted again after it ended", func(t *testing.T) {
		again, err := submit(ctx, tg, f.JSON())
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, again.status, "%s", again.body)
		assert.Equal(t, intake.Submission{FareID: f.FareID, ExecutionArn: executionARN(tg, f.FareID), Status: intake.StatusCompleted}, again.Submission)
	})
	t.Run("another fare under its fareId is refused", func(t *testing.T) {
		other := f
		other.Amount = 9999
		taken, err := submit(ctx, tg, other.JSON())
		require.NoError(t, err)
		assert.Equal(t, http.StatusConflict, taken.status, "%s", taken.body)
		assert.Equal(t, intake.FareIDTaken, taken.Error)
	})

	acct := readAccount(t, tg, f.CustomerID)
	assert.Equal(t, f.Amount, acct.balance("EUR"), "one credit")
	assert.Len(t, acct.fareEntries(f.FareID), 1, "one ledger entry")
	awaitOutcome(t, tg, f.FareID)
	assert.Len(t, tg.Outcomes.Received(f.FareID), 1, "one outcome message")
}
