package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Many fares of one customer land on one balance item at once: each credit (and each
// reversal) must apply exactly once, whatever the interleaving and the retries.
func TestConcurrentFaresOfOneCustomerAddUpExactly(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		switches string
		fares    int
		want     types.ExecutionStatus
	}{
		{"", 50, types.ExecutionStatusSucceeded},
		{"_transient_credit", 50, types.ExecutionStatusSucceeded}, // every credit retried while the others land
		{"_transient_auth_lost_charge", 30, types.ExecutionStatusSucceeded},
		{"_fail_complete", 20, types.ExecutionStatusFailed}, // every credit reversed
	}
	for _, tt := range tests {
		t.Run("customer"+tt.switches, func(t *testing.T) {
			t.Parallel()
			customer := customerID("busy", tt.switches)
			fares := make([]fare, tg.fareCount(tt.fares))
			for i := range fares {
				fares[i] = newFare(fareID(fmt.Sprintf("busy-%d", i)), customer)
				fares[i].Amount = int64(100 + i) // distinct amounts: a lost or doubled one shows in the sum
			}

			results, err := runConcurrently(tg, fares)
			require.NoError(t, err)

			var completed int64
			acct := readAccount(t, tg, customer)
			for i, f := range fares {
				assert.Equal(t, tt.want, results[i].Status, "%s: %s %s", f.FareID, aws.ToString(results[i].Error), aws.ToString(results[i].Cause))
				entries := acct.fareEntries(f.FareID)
				if results[i].Status == types.ExecutionStatusSucceeded {
					completed += f.Amount
					assert.Equal(t, f.Amount, entries["CREDIT"].Amount, "%s credited once", f.FareID)
					assert.NotContains(t, entries, "REVERSAL")
				} else {
					assert.Equal(t, entries["CREDIT"].Amount, entries["REVERSAL"].Amount, "%s reversed in full", f.FareID)
				}
			}
			assert.Equal(t, completed, acct.balance("EUR"), "the balance is the sum of the completed fares")
		})
	}
}

// runConcurrently submits every fare twice at once (a client retrying its request)
// and waits for all of them. Both submissions name the one execution of the fareId.
func runConcurrently(tg *Target, fares []fare) ([]*sfn.DescribeExecutionOutput, error) {
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.Execution)
	defer cancel()
	results := make([]*sfn.DescribeExecutionOutput, len(fares))
	errs := make([]error, len(fares))
	var wg sync.WaitGroup
	for i, f := range fares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers, submitErrs := submitTogether(ctx, tg, f.JSON(), 2)
			for j, err := range submitErrs {
				switch {
				case err != nil:
					errs[i] = err
					return
				case answers[j].status != http.StatusAccepted && answers[j].status != http.StatusOK:
					errs[i] = fmt.Errorf("%s: the door answered %d: %s", f.FareID, answers[j].status, answers[j].body)
					return
				}
			}
			out, err := waitForEnd(ctx, tg, executionARN(tg, f.FareID))
			if err != nil {
				errs[i] = err
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}
