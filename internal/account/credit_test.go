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

func TestCreditWritesTheEntryAndTheBalanceInOneTransaction(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")

	result, err := f.credit(t, fare, 0)

	require.NoError(t, err)
	assert.Equal(t, CreditResult{
		FareID: "fare-1", CustomerID: "cust-1", Money: money.Money{Amount: 1250, Currency: "EUR"},
		EntryID: "FARE#fare-1#CREDIT", CreditedAt: startOfTest,
	}, result)
	assert.Equal(t, []string{"TransactWriteItems"}, f.wire.sent(), "one request: the transaction")
	assert.Equal(t, int64(1250), f.balance(t, "cust-1", "EUR"))
	assert.Equal(t, []Entry{{
		CustomerID: "cust-1", EntryID: "FARE#fare-1#CREDIT", Kind: "CREDIT", FareID: "fare-1",
		Money: money.Money{Amount: 1250, Currency: "EUR"}, CreatedAt: startOfTest, OwnerExecution: ownerOf("fare-1"),
	}}, f.entries(t, "cust-1"))
}

func TestCreditResultIsFlatJSON(t *testing.T) {
	raw, err := json.Marshal(CreditResult{FareID: "f", CustomerID: "c", Money: money.Money{Amount: 5, Currency: "USD"},
		EntryID: "FARE#f#CREDIT", CreditedAt: startOfTest})
	require.NoError(t, err)
	assert.JSONEq(t, `{"fareId":"f","customerId":"c","amount":5,"currency":"USD","entryId":"FARE#f#CREDIT","creditedAt":"2026-03-14T09:26:53Z"}`, string(raw))
}

func TestCreditAgainCreditsOnceAndReturnsTheSameResult(t *testing.T) {
	tests := []struct {
		name    string
		attempt int
	}{
		{"the same invocation delivered twice", 0},
		{"a retry by Step Functions", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fare := fareOf("fare-1", "cust-1", 1250, "EUR")
			first := f.mustCredit(t, fare)
			f.advance(time.Minute)

			again, err := f.credit(t, fare, tt.attempt)

			require.NoError(t, err)
			assert.Equal(t, first, again)
			assert.Equal(t, int64(1250), f.balance(t, "cust-1", "EUR"))
			assert.Len(t, f.entries(t, "cust-1"), 1)
		})
	}
}

func TestCreditRefusals(t *testing.T) {
	tests := []struct {
		name     string
		earlier  func(*testing.T, *fixture) // what happened to fare-1 before
		fare     saga.Fare
		wantErr  string
		wantEUR  int64
		wantUSD  int64
		wantRows int
	}{
		{
			name:    "a different amount for a credited fare",
			earlier: func(t *testing.T, f *fixture) { f.mustCredit(t, fareOf("fare-1", "cust-1", 1250, "EUR")) },
			fare:    fareOf("fare-1", "cust-1", 9999, "EUR"),
			wantErr: "FareConflict", wantEUR: 1250, wantRows: 1,
		},
		{
			name:    "a different currency for a credited fare",
			earlier: func(t *testing.T, f *fixture) { f.mustCredit(t, fareOf("fare-1", "cust-1", 1250, "EUR")) },
			fare:    fareOf("fare-1", "cust-1", 1250, "USD"),
			wantErr: "FareConflict", wantEUR: 1250, wantRows: 1,
		},
		{
			name: "a credit after its reversal",
			earlier: func(t *testing.T, f *fixture) {
				f.mustCredit(t, fareOf("fare-1", "cust-1", 1250, "EUR"))
				_, err := f.reverse(t, fareOf("fare-1", "cust-1", 1250, "EUR"), 0)
				require.NoError(t, err)
			},
			fare:    fareOf("fare-1", "cust-1", 1250, "EUR"),
			wantErr: "FareAlreadyCompensated", wantRows: 2,
		},
		{
			name:    "an invalid fare",
			earlier: func(*testing.T, *fixture) {},
			fare:    fareOf("fare 1", "cust-1", 1250, "EUR"),
			wantErr: "InvalidFareInput",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.earlier(t, f)

			_, err := f.credit(t, tt.fare, 0)

			assert.Equal(t, tt.wantErr, errorName(err), "error: %v", err)
			assert.Equal(t, tt.wantEUR, f.balance(t, "cust-1", "EUR"))
			assert.Equal(t, tt.wantUSD, f.balance(t, "cust-1", "USD"))
			assert.Len(t, f.entries(t, "cust-1"), tt.wantRows)
		})
	}
}

// A credit refused because the entry exists, with the compensation landing before the
// handler reads the entry back: the saga has moved on, and the answer must say so.
func TestCreditThatFindsItsReversalWhileExplainingARefusal(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	f.mustCredit(t, fare)
	f.wire.onNextTransactions(after(func() {
		_, err := f.reverse(t, fare, 0)
		require.NoError(t, err)
	}))

	_, err := f.credit(t, fare, 1)

	assert.Equal(t, "FareAlreadyCompensated", errorName(err), "error: %v", err)
	assert.Zero(t, f.balance(t, "cust-1", "EUR"))
}

// On real DynamoDB every failed condition is reported; minidyn stops at the first.
// Either way the ledger decides whose entries refused the credit, and this execution's
// own reversal wins over its own credit.
func TestCreditPrefersTheFenceWhenBothConditionsFail(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	_, err := f.reverse(t, fare, 0)
	require.NoError(t, err)
	bothFailed := canceledWith("ConditionalCheckFailed", "ConditionalCheckFailed", "None")
	sentBefore := len(f.wire.sent())

	want := newEntry("cust-1", "fare-1", KindCredit, fare.Money, startOfTest, ownerOf("fare-1"))
	_, err = f.svc.explainRefusedCredit(context.Background(), want, bothFailed, f.svc.baseLogger())

	assert.Equal(t, "FareAlreadyCompensated", errorName(err))
	assert.Equal(t, []string{"Query"}, f.wire.sent()[sentBefore:], "one read of the fare's entries")
}

func TestCreditRetriesTransactionConflicts(t *testing.T) {
	tests := []struct {
		name        string
		conflicts   int
		wantErr     string
		wantBalance int64
	}{
		{"settles after two conflicts", 2, "", 1250},
		{"gives up as Throttled after maxTries", maxTries, "Throttled", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for range tt.conflicts {
				f.wire.onNextTransactions(conflict)
			}

			_, err := f.credit(t, fareOf("fare-1", "cust-1", 1250, "EUR"), 0)

			assert.Equal(t, tt.wantErr, errorName(err), "error: %v", err)
			assert.Equal(t, tt.wantBalance, f.balance(t, "cust-1", "EUR"))
		})
	}
}

func TestCurrenciesHaveSeparateBalances(t *testing.T) {
	f := newFixture(t)
	f.mustCredit(t, fareOf("fare-eur", "cust-1", 1250, "EUR"))
	f.mustCredit(t, fareOf("fare-usd", "cust-1", 700, "USD"))
	f.mustCredit(t, fareOf("fare-jpy", "cust-1", 900, "JPY"))
	f.mustCredit(t, fareOf("fare-eur-2", "cust-1", 50, "EUR"))

	assert.Equal(t, int64(1300), f.balance(t, "cust-1", "EUR"))
	assert.Equal(t, int64(700), f.balance(t, "cust-1", "USD"))
	assert.Equal(t, int64(900), f.balance(t, "cust-1", "JPY"))
	assert.Zero(t, f.balance(t, "cust-1", "GBP"))
	assert.Zero(t, f.balance(t, "cust-2", "EUR"), "other customers are untouched")
}
