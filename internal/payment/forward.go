package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/saga"
)

// forwardStep is a forward step and the record status it brings the payment to.
type forwardStep struct {
	step
	target PaymentStatus
}

// progress orders the forward statuses, so a record past a step shows the step done.
var progress = map[PaymentStatus]int{PaymentPreauthorized: 1, PaymentCaptured: 2}

func (s *Service) forward(ctx context.Context, st forwardStep, in saga.StepInput,
	body func(context.Context, stepCall) (PaymentResult, error)) (PaymentResult, error) {
	return run(ctx, s, st.step, in, refusals[PaymentResult]{
		onInvalidFare: func(err error) (PaymentResult, error) { return PaymentResult{}, err },
		onNotOwned: func(fareID string, execution *saga.Execution) (PaymentResult, error) {
			return PaymentResult{}, saga.CheckOwnership(saga.Fare{FareID: fareID}, execution)
		},
	}, body)
}

// result is the step's answer; it is built the same way whether the step acted now or
// earlier, so every run of a step returns the same result.
func (st forwardStep) result(fare saga.Fare, code, chargeID string) PaymentResult {
	r := PaymentResult{FareID: fare.FareID, Status: st.target, AuthorizationCode: code, Money: fare.Money}
	if st.target == PaymentCaptured {
		r.ChargeID = chargeID
	}
	return r
}

// decide reads what the payment record alone says about the step: the fare was
// compensated (an error), the step already happened (its result), or neither.
func (st forwardStep) decide(c stepCall, rec Record, found bool) (PaymentResult, bool, error) {
	switch {
	case !found:
		return PaymentResult{}, false, nil
	case c.foreign(rec, found):
		c.log.Warn("the fare's payment belongs to another execution; nothing was done")
		return PaymentResult{}, true, saga.Conflict(c.fare.FareID, "the fare's payment")
	case rec.compensated():
		return PaymentResult{}, true, c.alreadyCompensated()
	case progress[rec.Status] >= progress[st.target]:
		c.log.Info("step already done; returning its result", "paymentStatus", rec.Status)
		return st.result(c.fare, rec.AuthorizationCode, rec.ChargeID), true, nil
	}
	return PaymentResult{}, false, nil
}

// recordForward writes what the gateway just did. If the record moved on in the meantime,
// either another run of this step recorded the same thing (same result), or a
// compensation ran first: then our effect is undone here, since nobody else will.
func (s *Service) recordForward(ctx context.Context, c stepCall, st forwardStep, auth gateway.Authorization, cond writeCondition) (PaymentResult, error) {
	if err := s.afterEffect(c); err != nil {
		return PaymentResult{}, err
	}
	err := s.payments().record(ctx, c.fare, c.owner, change{status: st.target, auth: auth, cond: cond})
	if err == nil {
		return st.result(c.fare, auth.Code, auth.ChargeID), nil
	}
	if !errors.Is(err, errRecordChanged) {
		return PaymentResult{}, err
	}
	rec, found, err := s.payments().get(ctx, c.fare.FareID)
	if err != nil {
		return PaymentResult{}, err
	}
	if found && rec.compensated() {
		undone, err := s.settle(ctx, c, auth)
		if err == nil {
			_, err = s.recordSettled(ctx, c, undone)
		}
		if err != nil {
			return PaymentResult{}, err
		}
		c.log.Warn("the fare was compensated while this step ran; its gateway effect was undone",
			"gatewayStatus", undone.Status)
	}
	if result, done, err := st.decide(c, rec, found); done {
		return result, err
	}
	return PaymentResult{}, fmt.Errorf("payment record of fare %s changed unexpectedly (status %q)", c.fare.FareID, rec.Status)
}
