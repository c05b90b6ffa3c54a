package integration

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/statemachine"
)

// On AWS these take minutes each: the failing compensation spends its whole retry
// budget before the saga escalates. They run in parallel to pay that once.
func TestACompensationThatFailsForGoodNeedsAttention(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		switches      string
		failedState   string // the forward step the switch fails, to run the compensation
		attention     string // the compensation that fails for good
		compensations []string
	}{
		{"_fail_reverse", statemachine.SetFareStatusCompleted, statemachine.ReverseCustomerCredit, compensationChain[:1]},
		{"_fail_refund", statemachine.CreditCustomerAccount, statemachine.RefundFare, compensationChain[:2]},
		{"_fail_void", statemachine.ChargeFare, statemachine.VoidPreAuthorization, compensationChain[1:3]},
		{"_fail_cancel", statemachine.PreAuthorizePayment, statemachine.CancelFare, compensationChain[2:]},
	}
	for _, tt := range tests {
		t.Run(tt.switches, func(t *testing.T) {
			t.Parallel()
			scenario := "attention" + tt.switches
			f := newFare(fareID(scenario), customerID(scenario, tt.switches))

			x := runFare(t, tg, f.FareID, f.JSON(), tg.Timeouts.CompensationFailure)

			require.Equal(t, types.ExecutionStatusFailed, x.Status)
			assert.Equal(t, "CompensationFailed", x.errorName())
			assert.Contains(t, x.cause(), "Fare "+f.FareID+" needs attention: "+tt.attention+" failed with InjectedFailure after its retries")
			assert.Equal(t, tt.compensations, compensationsRun(x.History), "the chain stops at the compensation that failed")
			states := enteredStates(x.History)
			assert.Equal(t, []string{statemachine.MarkFareNeedsAttention, statemachine.NotifyCompensationFailure, statemachine.FareNeedsAttention},
				states[len(states)-3:])
			assert.NotContains(t, states, statemachine.NotifyFailure)

			row, found := readFare(t, tg, f.FareID)
			require.True(t, found)
			assert.Equal(t, "NEEDS_ATTENTION", row.Status)
			assert.Equal(t, tt.attention, row.AttentionState, "the record names the failed compensation")
			assert.Equal(t, "InjectedFailure", row.AttentionError)
			assert.Equal(t, tt.failedState, row.FailedState)

			status, standing := fareStatus(t, tg, f.FareID)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, intake.StatusNeedsAttention, standing.Status)
			assert.Equal(t, "CompensationFailed", standing.Error)

			msg := awaitOutcome(t, tg, f.FareID)
			assert.Equal(t, "true", msg.NeedsAttention, "an operator is alerted")
			assert.Equal(t, "false", msg.IsSuccessful)
			assert.Equal(t, tt.attention, msg.Body["compensationState"])
		})
	}
}
