package account

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
)

// Another execution than the fare's owner never moves the owner's money in the ledger:
// it credits nothing next to the owner's entries and reverses none of them.
func TestStepsOfAnotherExecutionLeaveTheOwnersLedger(t *testing.T) {
	later := sagatest.StartedAt("fare-1", "2027-03-01T00:00:00.000Z")
	renamed := sagatest.Named("fare-1-again")
	credited := func(t *testing.T, f *fixture) { f.mustCredit(t, fareOf("fare-1", "cust-1", 1250, "EUR")) }
	reversed := func(t *testing.T, f *fixture) {
		credited(t, f)
		_, err := f.reverse(t, fareOf("fare-1", "cust-1", 1250, "EUR"), 0)
		require.NoError(t, err)
	}
	fenced := func(t *testing.T, f *fixture) {
		_, err := f.reverse(t, fareOf("fare-1", "cust-1", 1250, "EUR"), 0)
		require.NoError(t, err)
	}
	tests := []struct {
		name        string
		before      func(*testing.T, *fixture)
		by          *saga.Execution
		credit      bool   // run CreditCustomerAccount, else ReverseCustomerCredit
		wantErr     string // "" when the step succeeds
		wantOutcome string
	}{
		{"credit a credited fare, name reused", credited, later, true, "FareConflict", ""},
		{"credit a fenced fare, name reused", fenced, later, true, "FareConflict", ""},
		{"credit a reversed fare, name reused", reversed, later, true, "FareConflict", ""},
		{"reverse a credited fare, name reused", credited, later, false, "", saga.NotOwnedOutcome},
		{"reverse a reversed fare, name reused", reversed, later, false, "", saga.NotOwnedOutcome},
		{"reverse a fenced fare, name reused", fenced, later, false, "", saga.NotOwnedOutcome},
		{"credit under another name", credited, renamed, true, "InvalidFareInput", ""},
		{"reverse under another name", credited, renamed, false, "", saga.NotOwnedOutcome},
		{"reverse under another name, nothing credited", func(*testing.T, *fixture) {}, renamed, false, "", saga.NotOwnedOutcome},
		{"credit without an execution", credited, nil, true, "InvalidFareInput", ""},
		{"reverse without an execution", credited, nil, false, "UnexpectedError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.before(t, f)
			entriesBefore := f.entries(t, "cust-1")
			balanceBefore := f.balance(t, "cust-1", "EUR")

			in := stepInput(t, fareOf("fare-1", "cust-1", 1250, "EUR"), 0)
			in.Execution = tt.by
			var err error
			var result saga.CompensationResult
			if tt.credit {
				_, err = f.svc.CreditCustomerAccount(context.Background(), in)
			} else {
				result, err = f.svc.ReverseCustomerCredit(context.Background(), in)
			}
			assert.Equal(t, tt.wantErr, errorName(err), "%v", err)
			if tt.wantErr == "" {
				assert.Equal(t, tt.wantOutcome, result.Outcome)
				assert.Contains(t, result.Detail, "nothing was changed")
			}
			assert.Equal(t, entriesBefore, f.entries(t, "cust-1"), "the owner's entries are unchanged")
			assert.Equal(t, balanceBefore, f.balance(t, "cust-1", "EUR"), "the balance is unchanged")
		})
	}
}
