// Package faults turns customerId suffixes into failures, so that every path of the saga
// can be driven from the console. It follows the workshop's convention (`_fail_auth`,
// `_fail_charge`, `_fail_credit`, `_fail_refund`) and extends it to every step, to
// transient faults and to lost responses. Switches only act when the stack enables
// fault injection (the dev stage); elsewhere a customerId is just a customerId.
package faults

import (
	"fmt"
	"strings"

	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/statemachine"
)

// Step names a saga step as it appears in a switch.
type Step string

const (
	Register Step = "register"
	Auth     Step = "auth"
	Charge   Step = "charge"
	Credit   Step = "credit"
	Complete Step = "complete"
	Reverse  Step = "reverse"
	Refund   Step = "refund"
	Void     Step = "void"
	Cancel   Step = "cancel"
)

// Steps lists every step in saga order, compensations after the forward steps.
var Steps = []Step{Register, Auth, Charge, Credit, Complete, Reverse, Refund, Void, Cancel}

// states are the state machine's states the steps act in.
var states = map[Step]string{
	Register: statemachine.RegisterFare, Auth: statemachine.PreAuthorizePayment,
	Charge: statemachine.ChargeFare, Credit: statemachine.CreditCustomerAccount,
	Complete: statemachine.SetFareStatusCompleted, Reverse: statemachine.ReverseCustomerCredit,
	Refund: statemachine.RefundFare, Void: statemachine.VoidPreAuthorization, Cancel: statemachine.CancelFare,
}

// State is the state machine's state the step acts in.
func (s Step) State() string { return states[s] }

// StepOf is the step that acts in state, and false for a state no switch acts on.
func StepOf(state string) (Step, bool) {
	for step, st := range states {
		if st == state {
			return step, true
		}
	}
	return "", false
}

// TransientFailures is how many attempts a `_transient_` switch fails before the step
// succeeds. The forward Retry allows more, so a transient fault never compensates.
const TransientFailures = 2

// triggeredBy names, for each compensation, the forward step that must fail for the
// compensation to run at all. `_fail_refund` alone would otherwise never be exercised,
// so it also fails CreditCustomerAccount, the step whose failure runs RefundFare first.
// (The compensation of a step is the first to run when that step fails, so the forward
// step paired here is the one after the step being compensated.)
var triggeredBy = map[Step]Step{
	Reverse: Complete,
	Refund:  Credit,
	Void:    Charge,
	Cancel:  Auth,
}

// gatewaySteps talk to the payment gateway; the others talk to DynamoDB only.
var gatewaySteps = map[Step]bool{Auth: true, Charge: true, Void: true, Refund: true}

// Injector decides, from a customerId, whether a step fails.
type Injector struct{ enabled bool }

// New returns an injector; a disabled one never injects anything.
func New(enabled bool) Injector { return Injector{enabled: enabled} }

// Enabled reports whether switches act.
func (in Injector) Enabled() bool { return in.enabled }

// Switch is the suffix that makes step fail in the given way.
func Switch(kind string, step Step) string { return "_" + kind + "_" + string(step) }

func (in Injector) has(customerID, kind string, step Step) bool {
	return in.enabled && strings.Contains(customerID, Switch(kind, step))
}

// failsForGood reports whether step fails on every attempt, directly (`_fail_<step>`)
// or because a compensation switch (`_fail_` or `_outage_`) needs it to (see triggeredBy).
func (in Injector) failsForGood(customerID string, step Step) (string, bool) {
	if in.has(customerID, "fail", step) {
		return Switch("fail", step), true
	}
	for compensation, trigger := range triggeredBy {
		for _, kind := range []string{"fail", "outage"} {
			if trigger == step && in.has(customerID, kind, compensation) {
				return Switch(kind, compensation), true
			}
		}
	}
	return "", false
}

// Outage returns the failure a compensation reports during an outage of the service it
// needs (`_outage_<step>`), or nil: the outage outlasts every retry of the first run, and
// is over once the saga has been resumed (redriven) at least once. Only compensations
// have outages: a forward step that cannot reach its service is compensated.
func (in Injector) Outage(step Step, customerID string, redriveCount int) error {
	if _, compensation := triggeredBy[step]; !compensation || !in.has(customerID, "outage", step) || redriveCount > 0 {
		return nil
	}
	return transient(step)
}

// BeforeEffect returns the failure to report instead of running step, or nil.
// attempt is Step Functions' retry count for the state (0 on the first try).
func (in Injector) BeforeEffect(step Step, customerID string, attempt int) error {
	if sw, ok := in.failsForGood(customerID, step); ok {
		switch step {
		case Auth:
			return &steperr.PaymentDeclined{Reason: fmt.Sprintf("card declined by the gateway (fault injection %s)", sw)}
		case Charge:
			return &steperr.CaptureDeclined{Reason: fmt.Sprintf("capture refused by the gateway (fault injection %s)", sw)}
		default:
			return &steperr.InjectedFailure{Switch: sw}
		}
	}
	if in.has(customerID, "transient", step) && attempt < TransientFailures {
		return transient(step)
	}
	return nil
}

// AfterEffect returns the failure to report after step's effect happened (the response
// was lost on the way back), or nil. Only the first attempt loses its response, so a
// retry finds the effect already there and must not repeat it.
func (in Injector) AfterEffect(step Step, customerID string, attempt int) error {
	if in.has(customerID, "lost", step) && attempt == 0 {
		return transient(step)
	}
	return nil
}

// HoldsCompletion reports whether the fare must be registered with a completion hold,
// which makes SetFareStatusCompleted (a direct DynamoDB integration) fail its condition.
func (in Injector) HoldsCompletion(customerID string) bool {
	_, ok := in.failsForGood(customerID, Complete)
	return ok
}

func transient(step Step) error {
	if gatewaySteps[step] {
		return &steperr.GatewayUnavailable{Operation: string(step)}
	}
	return &steperr.Throttled{Operation: string(step)}
}

// Compensates reports whether step is a compensation (it undoes another step).
func Compensates(step Step) bool {
	_, ok := triggeredBy[step]
	return ok
}

// Kinds of switch, as they appear in a suffix.
const (
	KindFail      = "fail"
	KindOutage    = "outage"
	KindTransient = "transient"
	KindLost      = "lost"
)

// Switches lists every switch the injector acts on, in the README's order: `_fail_` for
// every step, `_outage_` for the compensations, `_transient_` and `_lost_` for every step
// but `complete` (a direct DynamoDB integration, with no code of ours to inject into).
func Switches() []string {
	var out []string
	for _, kind := range []string{KindFail, KindOutage, KindTransient, KindLost} {
		for _, step := range Steps {
			switch {
			case kind == KindOutage && !Compensates(step):
			case (kind == KindTransient || kind == KindLost) && step == Complete:
			default:
				out = append(out, Switch(kind, step))
			}
		}
	}
	return out
}
