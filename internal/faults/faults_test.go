package faults

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/statemachine"
)

func TestBeforeEffect(t *testing.T) {
	tests := []struct {
		name       string
		customerID string
		step       Step
		attempt    int
		want       string // error name, "" for none
	}{
		{"plain customer", "cust-1", Auth, 0, ""},
		{"fail auth declines", "cust-1_fail_auth", Auth, 0, "PaymentDeclined"},
		{"fail auth on every attempt", "cust-1_fail_auth", Auth, 5, "PaymentDeclined"},
		{"fail auth leaves charge alone", "cust-1_fail_auth", Charge, 0, ""},
		{"fail charge declines capture", "cust-1_fail_charge", Charge, 0, "CaptureDeclined"},
		{"fail credit", "cust-1_fail_credit", Credit, 0, "InjectedFailure"},
		{"fail register", "c_fail_register", Register, 0, "InjectedFailure"},
		{"fail refund fails refund", "c_fail_refund", Refund, 3, "InjectedFailure"},
		{"fail refund also fails credit", "c_fail_refund", Credit, 0, "InjectedFailure"},
		{"fail void also fails charge", "c_fail_void", Charge, 0, "CaptureDeclined"},
		{"fail cancel also fails auth", "c_fail_cancel", Auth, 0, "PaymentDeclined"},
		{"switches combine", "c_fail_credit_fail_refund", Refund, 0, "InjectedFailure"},
		{"transient gateway first try", "c_transient_auth", Auth, 0, "GatewayUnavailable"},
		{"transient gateway second try", "c_transient_auth", Auth, 1, "GatewayUnavailable"},
		{"transient gateway then succeeds", "c_transient_auth", Auth, TransientFailures, ""},
		{"transient table step throttles", "c_transient_credit", Credit, 0, "Throttled"},
		{"transient register throttles", "c_transient_register", Register, 1, "Throttled"},
		{"lost is not a before failure", "c_lost_charge", Charge, 0, ""},
		{"an outage of refund also fails credit", "c_outage_refund", Credit, 0, "InjectedFailure"},
		{"an outage of cancel also fails auth", "c_outage_cancel", Auth, 0, "PaymentDeclined"},
		{"an outage is not a before failure", "c_outage_refund", Refund, 0, ""},
	}
	in := New(true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := in.BeforeEffect(tt.step, tt.customerID, tt.attempt)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.want, steperr.Name(err))
		})
	}
}

func TestOutagesLastUntilTheSagaIsResumed(t *testing.T) {
	tests := []struct {
		name       string
		customerID string
		step       Step
		redrives   int
		want       string
	}{
		{"refund during its outage", "c_fail_credit_outage_refund", Refund, 0, "GatewayUnavailable"},
		{"void during its outage", "c_outage_void", Void, 0, "GatewayUnavailable"},
		{"reverse during its outage", "c_outage_reverse", Reverse, 0, "Throttled"},
		{"cancel during its outage", "c_outage_cancel", Cancel, 0, "Throttled"},
		{"refund once resumed", "c_fail_credit_outage_refund", Refund, 1, ""},
		{"refund resumed twice", "c_outage_refund", Refund, 2, ""},
		{"no outage of another step", "c_outage_refund", Void, 0, ""},
		{"no outage of a forward step", "c_outage_charge", Charge, 0, ""},
	}
	in := New(true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := in.Outage(tt.step, tt.customerID, tt.redrives)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.want, steperr.Name(err))
		})
	}
	assert.NoError(t, New(false).Outage(Refund, "c_outage_refund", 0), "prod has no switches")
}

func TestAfterEffectLosesOnlyTheFirstResponse(t *testing.T) {
	in := New(true)
	assert.Equal(t, "GatewayUnavailable", steperr.Name(in.AfterEffect(Charge, "c_lost_charge", 0)))
	assert.NoError(t, in.AfterEffect(Charge, "c_lost_charge", 1))
	assert.Equal(t, "Throttled", steperr.Name(in.AfterEffect(Credit, "c_lost_credit", 0)))
	assert.NoError(t, in.AfterEffect(Credit, "c_lost_charge", 0))
}

func TestDisabledInjectorNeverFails(t *testing.T) {
	in := New(false)
	for _, step := range Steps {
		for _, kind := range []string{"fail", "transient", "lost"} {
			customer := "c" + Switch(kind, step)
			assert.NoError(t, in.BeforeEffect(step, customer, 0), customer)
			assert.NoError(t, in.AfterEffect(step, customer, 0), customer)
		}
	}
	assert.False(t, in.HoldsCompletion("c_fail_complete"))
	assert.False(t, in.Enabled())
}

func TestHoldsCompletion(t *testing.T) {
	in := New(true)
	assert.True(t, in.HoldsCompletion("c_fail_complete"))
	assert.True(t, in.HoldsCompletion("c_fail_reverse"), "reverse needs completion to fail")
	assert.False(t, in.HoldsCompletion("c_fail_credit"))
}

func TestInjectedMessagesNameTheSwitch(t *testing.T) {
	err := New(true).BeforeEffect(Refund, "c_fail_refund", 0)
	assert.Equal(t, "injected failure (switch _fail_refund)", err.Error())
}

// Every listed switch makes some step fail: a switch in the catalogue that does nothing
// would send a console user down the happy path while promising a failure.
func TestEverySwitchListedActs(t *testing.T) {
	in := New(true)
	switches := Switches()
	assert.Len(t, switches, len(Steps)+4+2*(len(Steps)-1))
	for _, sw := range switches {
		t.Run(sw, func(t *testing.T) {
			customer := "cust-1" + sw
			acts := false
			for _, step := range Steps {
				acts = acts || in.BeforeEffect(step, customer, 0) != nil || in.AfterEffect(step, customer, 0) != nil ||
					in.Outage(step, customer, 0) != nil
			}
			acts = acts || in.HoldsCompletion(customer)
			assert.True(t, acts, "switch %s changes nothing", sw)
		})
	}
}

// Every step acts in a state of the definition, and StepOf finds the step again.
func TestStepsActInStates(t *testing.T) {
	seen := map[string]bool{}
	for _, step := range Steps {
		state := step.State()
		assert.Contains(t, statemachine.Definition, `"`+state+`"`, step)
		assert.False(t, seen[state], "%s: one state per step", state)
		seen[state] = true
		back, ok := StepOf(state)
		assert.True(t, ok)
		assert.Equal(t, step, back)
	}
	_, ok := StepOf(statemachine.NotifyFailure)
	assert.False(t, ok, "no switch acts on NotifyFailure")
}
