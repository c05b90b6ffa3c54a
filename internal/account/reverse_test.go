package account

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/saga"
)

func TestReverseAfterCreditRestoresTheBalance(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	f.mustCredit(t, fareOf("fare-other", "cust-1", 300, "EUR"))
	f.mustCredit(t, fare)
	f.advance(time.Minute)

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, saga.CompensationResult{FareID: "fare-1", Outcome: OutcomeReversed,
		Detail: "reversed a credit of 1250 EUR (minor units)"}, result)
	assert.Equal(t, int64(300), f.balance(t, "cust-1", "EUR"), "only this fare's credit is undone")
	assert.Contains(t, f.entries(t, "cust-1"), Entry{
		CustomerID: "cust-1", EntryID: "FARE#fare-1#REVERSAL", Kind: "REVERSAL", FareID: "fare-1",
		Money: money.Money{Amount: 1250, Currency: "EUR"}, CreatedAt: startOfTest.Add(time.Minute), OwnerExecution: ownerOf("fare-1"),
	})
}

func TestReverseAgainReversesOnce(t *testing.T) {
	tests := []struct {
		name       string
		credited   bool
		wantDetail string
	}{
		{"after a credit", true, "reversed a credit of 1250 EUR (minor units) at 2026-03-14T09:26:53Z"},
		{"without a credit", false, "reversed nothing (no credit was recorded) at 2026-03-14T09:26:53Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fare := fareOf("fare-1", "cust-1", 1250, "EUR")
			if tt.credited {
				f.mustCredit(t, fare)
			}
			_, err := f.reverse(t, fare, 0)
			require.NoError(t, err)
			entriesAfterFirst := f.entries(t, "cust-1")
			f.advance(time.Minute)

			again, err := f.reverse(t, fare, 1)

			require.NoError(t, err)
			assert.Equal(t, saga.CompensationResult{FareID: "fare-1", Outcome: OutcomeAlreadyReversed, Detail: tt.wantDetail}, again)
			assert.Zero(t, f.balance(t, "cust-1", "EUR"))
			assert.Equal(t, entriesAfterFirst, f.entries(t, "cust-1"))
		})
	}
}

func TestReverseWithoutCreditFencesALateCredit(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeNothingToReverse, result.Outcome)
	tombstone := Entry{CustomerID: "cust-1", EntryID: "FARE#fare-1#REVERSAL", Kind: "REVERSAL", FareID: "fare-1",
		Money: money.Money{Amount: 0, Currency: "EUR"}, CreatedAt: startOfTest, OwnerExecution: ownerOf("fare-1")}
	assert.Equal(t, []Entry{tombstone}, f.entries(t, "cust-1"))
	assert.True(t, tombstone.IsTombstone())

	f.advance(time.Minute)
	_, err = f.credit(t, fare, 0)

	assert.Equal(t, "FareAlreadyCompensated", errorName(err), "error: %v", err)
	assert.Zero(t, f.balance(t, "cust-1", "EUR"))
	assert.Equal(t, []Entry{tombstone}, f.entries(t, "cust-1"), "the late credit changed nothing")
}

func TestReverseUndoesACreditWhoseResponseWasLost(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1_lost_credit", 1250, "EUR")

	_, err := f.credit(t, fare, 0)
	require.Equal(t, "Throttled", errorName(err), "the first attempt's response is lost")
	require.Equal(t, int64(1250), f.balance(t, fare.CustomerID, "EUR"), "but its write landed")

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeReversed, result.Outcome)
	assert.Zero(t, f.balance(t, fare.CustomerID, "EUR"))
}

// The compensation reads no credit, then the slow first credit lands before the fence
// is written: the fence is refused, and deciding again reverses the credit.
func TestReverseDecidesAgainWhenALateCreditLandsMeanwhile(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	f.wire.onNextTransactions(before(func() { f.mustCredit(t, fare) }))

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeReversed, result.Outcome)
	assert.Zero(t, f.balance(t, "cust-1", "EUR"))
	assert.Len(t, f.entries(t, "cust-1"), 2)
}

// Two runs of the compensation at once: the one that loses finds the winner's entry.
func TestReverseDecidesAgainWhenAnotherRunReversesMeanwhile(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	f.mustCredit(t, fare)
	f.wire.onNextTransactions(before(func() {
		_, err := f.reverse(t, fare, 1)
		require.NoError(t, err)
	}))

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeAlreadyReversed, result.Outcome)
	assert.Zero(t, f.balance(t, "cust-1", "EUR"), "reversed once")
}

func TestReverseRetriesTransactionConflicts(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	f.mustCredit(t, fare)
	f.wire.onNextTransactions(conflict, conflict)

	result, err := f.reverse(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeReversed, result.Outcome)
	assert.Zero(t, f.balance(t, "cust-1", "EUR"))
}

func TestReverseLeavesACreditOfADifferentAmount(t *testing.T) {
	f := newFixture(t)
	f.mustCredit(t, fareOf("fare-1", "cust-1", 1250, "EUR"))

	result, err := f.reverse(t, fareOf("fare-1", "cust-1", 999, "EUR"), 0)

	require.NoError(t, err)
	assert.Equal(t, OutcomeNothingToReverse, result.Outcome)
	assert.Equal(t, int64(1250), f.balance(t, "cust-1", "EUR"))
	assert.Len(t, f.entries(t, "cust-1"), 1)
}

func TestReverseOfAnInvalidFareSucceedsWithoutWriting(t *testing.T) {
	tests := []struct {
		name    string
		payload string
	}{
		{"empty object", `{}`},
		{"not JSON", `{"fareId":`},
		{"no payload at all", ``},
		{"negative amount", `{"fareId":"fare-1","customerId":"cust-1","amount":-5,"currency":"EUR","paymentToken":"` + paymentToken + `"}`},
		{"card data", `{"fareId":"fare-1","customerId":"cust-1","amount":5,"currency":"EUR","cc":"4111111111111111"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)

			result, err := f.svc.ReverseCustomerCredit(context.Background(), saga.StepInput{Fare: json.RawMessage(tt.payload)})

			require.NoError(t, err)
			assert.Equal(t, OutcomeNothingToReverse, result.Outcome)
			assert.Empty(t, f.wire.sent(), "nothing read, nothing written")
			assert.NotContains(t, f.logs.String(), "4111111111111111")
			assert.Contains(t, f.logs.String(), `"fareId":""`, "a fareId that did not parse is not trusted")
		})
	}
}
