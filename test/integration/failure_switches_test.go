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

// compensationChain is every compensation, in the order the saga runs them: the
// reverse of the forward steps they undo.
var compensationChain = []string{statemachine.ReverseCustomerCredit, statemachine.RefundFare, statemachine.VoidPreAuthorization, statemachine.CancelFare}

func TestEveryFailureSwitchIsCompensatedInReverseOrder(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		switches      string
		failedState   string
		errName       string
		compensations []string // a failed step is compensated starting with itself
		payment       string   // the Payments status, "" when no payment may be recorded
	}{
		{"_fail_register", statemachine.RegisterFare, "InjectedFailure", compensationChain[3:], ""},
		{"_fail_auth", statemachine.PreAuthorizePayment, "PaymentDeclined", compensationChain[2:], "VOIDED"},
		{"_fail_charge", statemachine.ChargeFare, "CaptureDeclined", compensationChain[1:], "VOIDED"},
		{"_fail_credit", statemachine.CreditCustomerAccount, "InjectedFailure", compensationChain, "REFUNDED"},
		{"_fail_complete", statemachine.SetFareStatusCompleted, "DynamoDB.ConditionalCheckFailedException", compensationChain, "REFUNDED"},
	}
	for _, tt := range tests {
		t.Run(tt.switches, func(t *testing.T) {
			t.Parallel()
			scenario := "switch" + tt.switches
			f := newFare(fareID(scenario), customerID(scenario, tt.switches))

			x := runFare(t, tg, f.FareID, f.JSON(), tg.Timeouts.Execution)

			require.Equal(t, types.ExecutionStatusFailed, x.Status)
			assert.Equal(t, tt.errName, x.errorName())
			assert.Contains(t, x.cause(), tt.failedState+" failed with "+tt.errName+"; every step that had run was compensated")
			assert.Equal(t, tt.compensations, compensationsRun(x.History))
			states := enteredStates(x.History)
			assert.Contains(t, states, statemachine.NotifyFailure)
			assert.Equal(t, statemachine.FareProcessingFailed, states[len(states)-1])
			assert.NotContains(t, states, statemachine.MarkFareNeedsAttention)

			row, found := readFare(t, tg, f.FareID)
			require.True(t, found, "even a fare that never registered leaves a tombstone")
			assert.Equal(t, "CANCELLED", row.Status)
			assert.Equal(t, tt.failedState, row.FailedState, "the fare records what failed")
			pay, paid := readPayment(t, tg, f.FareID)
			if tt.payment == "" {
				assert.False(t, paid, "no payment was attempted")
			} else if assert.True(t, paid) {
				assert.Equal(t, tt.payment, pay.Status)
			}
			acct := readAccount(t, tg, f.CustomerID)
			assert.Zero(t, acct.balance("EUR"), "no net credit")
			if credit, credited := acct.fareEntries(f.FareID)["CREDIT"]; credited {
				assert.Equal(t, credit.Amount, acct.fareEntries(f.FareID)["REVERSAL"].Amount, "a credit is reversed in full")
			}

			status, standing := fareStatus(t, tg, f.FareID)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, intake.StatusCancelled, standing.Status)
			assert.Equal(t, tt.errName, standing.Error)

			msg := awaitOutcome(t, tg, f.FareID)
			assert.Equal(t, "false", msg.IsSuccessful)
			assert.Empty(t, msg.NeedsAttention)
			assert.Equal(t, "CANCELLED", msg.Body["status"])
			assert.Equal(t, tt.errName, msg.Body["error"])
		})
	}
}
