package integration

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/statemachine"
)

func TestHappyPathCollectsTheFare(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	f := newFare(fareID("happy"), customerID("happy", ""))

	x := runFare(t, tg, f.FareID, f.JSON(), tg.Timeouts.Execution)

	require.Equal(t, types.ExecutionStatusSucceeded, x.Status, "%s: %s", x.errorName(), x.cause())
	var output map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(x.Output)), &output))
	assert.Equal(t, "COMPLETED", output["status"])
	assert.Equal(t, true, output["notified"], "the success message was sent")
	assert.NotEmpty(t, output["authorizationCode"])
	assert.NotEmpty(t, output["chargeId"])
	assert.Equal(t, []string{
		statemachine.RegisterFare, statemachine.PreAuthorizePayment, statemachine.ChargeFare, statemachine.CreditCustomerAccount,
		statemachine.SetFareStatusCompleted, statemachine.NotifySuccess, statemachine.FareProcessingSucceeded,
	}, enteredStates(x.History))
	assert.Empty(t, failedTaskErrors(x.History))

	row, found := readFare(t, tg, f.FareID)
	require.True(t, found, "the fare is recorded")
	assert.Equal(t, "COMPLETED", row.Status)
	assert.Equal(t, f.Amount, row.Amount)
	pay, found := readPayment(t, tg, f.FareID)
	require.True(t, found, "the payment is recorded")
	assert.Equal(t, "CAPTURED", pay.Status)
	acct := readAccount(t, tg, f.CustomerID)
	credit, credited := acct.fareEntries(f.FareID)["CREDIT"]
	require.True(t, credited, "the ledger has the fare's credit entry")
	assert.Equal(t, f.Amount, credit.Amount)
	assert.NotContains(t, acct.fareEntries(f.FareID), "REVERSAL")
	assert.Equal(t, f.Amount, acct.balance("EUR"), "the balance is the one fare")

	status, standing := fareStatus(t, tg, f.FareID)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, intake.FareStatus{FareID: f.FareID, Status: intake.StatusCompleted, ExecutionStatus: "SUCCEEDED",
		Amount: aws.Int64(f.Amount), Currency: "EUR"}, standing, "the door says where the fare stands")

	msg := awaitOutcome(t, tg, f.FareID)
	assert.Equal(t, "true", msg.IsSuccessful)
	assert.Empty(t, msg.NeedsAttention)
	assert.Equal(t, "COMPLETED", msg.Body["status"])
	assert.NotContains(t, msg.Body, "paymentToken", "the token never leaves the payment steps")
}
