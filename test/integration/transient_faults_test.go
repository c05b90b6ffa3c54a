package integration

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/statemachine"
)

func TestTransientFaultsAreRetriedThenSucceed(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		switches string
		errName  string // gateway steps report GatewayUnavailable, the others Throttled
	}{
		{"_transient_register", "Throttled"},
		{"_transient_auth", "GatewayUnavailable"},
		{"_transient_charge", "GatewayUnavailable"},
		{"_transient_credit", "Throttled"},
	}
	for _, tt := range tests {
		t.Run(tt.switches, func(t *testing.T) {
			t.Parallel()
			scenario := "retry" + tt.switches
			f := newFare(fareID(scenario), customerID(scenario, tt.switches))

			x := runFare(t, tg, f.FareID, f.JSON(), tg.Timeouts.Execution)

			require.Equal(t, types.ExecutionStatusSucceeded, x.Status, "%s: %s", x.errorName(), x.cause())
			assert.Equal(t, slices.Repeat([]string{tt.errName}, faults.TransientFailures), failedTaskErrors(x.History),
				"the step failed its first attempts, then the Retry succeeded")
			assert.Empty(t, compensationsRun(x.History), "a transient fault never compensates")
			assert.Contains(t, enteredStates(x.History), statemachine.FareProcessingSucceeded)

			row, _ := readFare(t, tg, f.FareID)
			assert.Equal(t, "COMPLETED", row.Status)
			pay, _ := readPayment(t, tg, f.FareID)
			assert.Equal(t, "CAPTURED", pay.Status)
			acct := readAccount(t, tg, f.CustomerID)
			assert.Equal(t, f.Amount, acct.balance("EUR"), "credited once despite the retries")
			assert.Len(t, acct.fareEntries(f.FareID), 1)
			assert.Equal(t, "true", awaitOutcome(t, tg, f.FareID).IsSuccessful)
		})
	}
}
