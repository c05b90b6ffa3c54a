package payment

import (
	"context"
	"errors"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/statemachine"
)

var chargeStep = forwardStep{
	step:   step{state: statemachine.ChargeFare, fault: faults.Charge},
	target: PaymentCaptured,
}

// ChargeFare captures the fare's pre-authorisation.
func (s *Service) ChargeFare(ctx context.Context, in saga.StepInput) (PaymentResult, error) {
	return s.forward(ctx, chargeStep, in, func(ctx context.Context, c stepCall) (PaymentResult, error) {
		rec, found, err := s.payments().get(ctx, c.fare.FareID)
		if err != nil {
			return PaymentResult{}, err
		}
		if result, done, err := chargeStep.decide(c, rec, found); done {
			return result, err
		}
		if !found {
			return PaymentResult{}, &steperr.PaymentNotAuthorized{FareID: c.fare.FareID}
		}
		auth, err := s.Gateway.Capture(ctx, gateway.CaptureRequest{
			IdempotencyKey:    c.captureKey(),
			FareID:            c.fare.FareID,
			AuthorizationCode: rec.AuthorizationCode,
			Amount:            c.fare.Money,
		})
		var refused *gateway.InvalidTransition
		if errors.As(err, &refused) && refused.Current.Status.Final() {
			// A compensation released the authorisation after we read the record.
			c.log.Warn("gateway refused the capture: the authorisation was released", "gatewayStatus", refused.Current.Status)
			return PaymentResult{}, c.alreadyCompensated()
		}
		if err != nil {
			return PaymentResult{}, err
		}
		c.log.Info("gateway captured the fare", "authorizationCode", auth.Code, "chargeId", auth.ChargeID)
		return s.recordForward(ctx, c, chargeStep, auth, stillPreauthorized(auth.Code))
	})
}
