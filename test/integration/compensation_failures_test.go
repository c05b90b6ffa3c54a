package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/attention"
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
			assert.Equal(t, "InjectedFailure", x.errorName(), "the execution fails in the compensation, where a resume redrives it")
			assert.Equal(t, tt.compensations, compensationsRun(x.History), "the chain stops at the compensation that failed")
			states := enteredStates(x.History)
			assert.Equal(t, tt.attention, states[len(states)-1])
			assert.NotContains(t, states, statemachine.NotifyFailure)

			// The attention watcher alerts once it has marked the fare.
			msg := awaitOutcome(t, tg, f.FareID)
			assert.Equal(t, "true", msg.NeedsAttention, "an operator is alerted")
			assert.Equal(t, "false", msg.IsSuccessful)
			assert.Equal(t, tt.attention, msg.Body["attentionState"])
			assert.Equal(t, tt.failedState, msg.Body["failedState"])

			row, found := readFare(t, tg, f.FareID)
			require.True(t, found)
			assert.Equal(t, "NEEDS_ATTENTION", row.Status)
			assert.Equal(t, tt.attention, row.AttentionState, "the record names the failed compensation")
			assert.Equal(t, "InjectedFailure", row.AttentionError)
			assert.Equal(t, "FAILED", row.AttentionExecutionStatus)
			assert.Equal(t, tt.failedState, row.FailedState)

			status, standing := fareStatus(t, tg, f.FareID)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, intake.StatusNeedsAttention, standing.Status)
			require.NotNil(t, standing.Attention)
			assert.Equal(t, tt.attention, standing.Attention.State)
			assert.Equal(t, statemachine.ResumePath(tt.attention), standing.Attention.WillRun)
		})
	}
}

// An outage that outlasts RefundFare's retries leaves the fare for an operator; once it
// is over, `faresaga resume` (POST /fares/{fareId}/resume) redrives the execution from
// RefundFare to the end of the chain: CANCELLED, refunded, no net credit. A resume whose
// compensation fails again leaves it for an operator again, with a new alert.
func TestAStuckFareIsResumed(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		switches   string
		wantStatus string // the fare's once the resumed execution has ended
		alerts     int
	}{
		{"_fail_credit_outage_refund", "CANCELLED", 1},
		{"_fail_refund", "NEEDS_ATTENTION", 2},
	}
	for _, tt := range tests {
		t.Run(tt.switches, func(t *testing.T) {
			t.Parallel()
			scenario := "resume" + tt.switches
			f := newFare(fareID(scenario), customerID(scenario, tt.switches))
			x := runFare(t, tg, f.FareID, f.JSON(), tg.Timeouts.CompensationFailure)
			require.Equal(t, types.ExecutionStatusFailed, x.Status)
			awaitOutcome(t, tg, f.FareID) // the alert: the fare is marked

			answer, err := tg.Door.Resume(context.Background(), f.FareID)
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, answer.Status, "%s", answer.Body)
			var resumed attention.Resumption
			require.NoError(t, json.Unmarshal(answer.Body, &resumed))
			assert.Equal(t, statemachine.RefundFare, resumed.ResumedFrom)
			assert.Equal(t, 1, resumed.Resumes)

			ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.CompensationFailure)
			defer cancel()
			again := awaitFinished(t, ctx, tg, resumed.ExecutionARN)
			assert.Equal(t, types.ExecutionStatusFailed, again.Status)
			awaitMessages(t, tg, f.FareID, tt.alerts+boolInt(tt.wantStatus == "CANCELLED"))
			row, _ := readFare(t, tg, f.FareID)
			assert.Equal(t, tt.wantStatus, row.Status)
			assert.Equal(t, 1, row.Resumes)
			if tt.wantStatus == "CANCELLED" {
				pay, _ := readPayment(t, tg, f.FareID)
				assert.Equal(t, "REFUNDED", pay.Status, "the money is back")
				assert.Zero(t, readAccount(t, tg, f.CustomerID).balance("EUR"), "no net credit")
			}
			alerts := 0
			for _, m := range tg.Outcomes.Received(f.FareID) {
				alerts += boolInt(m.NeedsAttention == "true")
			}
			assert.Equal(t, tt.alerts, alerts)

			answer, err = tg.Door.Resume(context.Background(), f.FareID)
			require.NoError(t, err)
			if tt.wantStatus == "CANCELLED" {
				assert.Equal(t, http.StatusConflict, answer.Status, "a fare that ended is not stuck: %s", answer.Body)
			}
		})
	}
	t.Run("an unknown fare", func(t *testing.T) {
		answer, err := tg.Door.Resume(context.Background(), fareID("resume-unknown"))
		require.NoError(t, err)
		assert.Equal(t, http.StatusNotFound, answer.Status, "%s", answer.Body)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
