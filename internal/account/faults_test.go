package account

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/faults"
)

// A switch in the customerId makes a step fail; each row runs the step with attempts
// 0, 1, 2... and expects these Step Functions error names ("" is success).
func TestFaultSwitches(t *testing.T) {
	tests := []struct {
		name        string
		customer    string
		reverse     bool // run ReverseCustomerCredit after a clean credit, instead of the credit
		want        []string
		wantBalance int64
	}{
		{"fail credit", "c_fail_credit", false, []string{"InjectedFailure", "InjectedFailure", "InjectedFailure"}, 0},
		{"fail refund fails the credit, so that RefundFare runs", "c_fail_refund", false, []string{"InjectedFailure"}, 0},
		{"transient credit", "c_transient_credit", false, []string{"Throttled", "Throttled", ""}, 1250},
		{"lost credit", "c_lost_credit", false, []string{"Throttled", ""}, 1250},
		{"fail reverse", "c_fail_reverse", true, []string{"InjectedFailure", "InjectedFailure"}, 1250},
		{"transient reverse", "c_transient_reverse", true, []string{"Throttled", "Throttled", ""}, 0},
		{"lost reverse", "c_lost_reverse", true, []string{"Throttled", ""}, 0},
		{"a switch of another step", "c_fail_charge", false, []string{""}, 1250},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			fare := fareOf("fare-1", tt.customer, 1250, "EUR")
			if tt.reverse {
				f.mustCredit(t, fare)
			}
			var got []string
			for attempt := range tt.want {
				var err error
				if tt.reverse {
					_, err = f.reverse(t, fare, attempt)
				} else {
					_, err = f.credit(t, fare, attempt)
				}
				got = append(got, errorName(err))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantBalance, f.balance(t, tt.customer, "EUR"))
		})
	}
}

func TestSwitchesDoNothingWhenInjectionIsOff(t *testing.T) {
	f := newFixture(t)
	f.svc.Faults = faults.New(false)
	fare := fareOf("fare-1", "c_fail_credit_fail_reverse", 1250, "EUR")

	_, err := f.credit(t, fare, 0)
	require.NoError(t, err)
	_, err = f.reverse(t, fare, 0)
	require.NoError(t, err)
}

// After a lost response the retry must find the credit and report it, not add it again.
func TestRetryAfterALostCreditReturnsTheCredit(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "c_lost_credit", 1250, "EUR")
	_, err := f.credit(t, fare, 0)
	require.Error(t, err)

	result, err := f.credit(t, fare, 1)

	require.NoError(t, err)
	assert.Equal(t, startOfTest, result.CreditedAt, "the credit of the lost attempt")
	assert.Len(t, f.entries(t, fare.CustomerID), 1)
}
