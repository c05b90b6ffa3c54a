package payment

import (
	"context"
	"errors"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/statemachine"
)

var preAuthorizeStep = forwardStep{
	step:   step{state: statemachine.PreAuthorizePayment, fault: faults.Auth},
	target: PaymentPreauthorized,
}

// PreAuthorizePayment holds the fare's amount on the customer's payment method.
func (s *Service) PreAuthorizePayment(ctx context.Context, in saga.StepInput) (PaymentResult, error) {
	return s.forward(ctx, preAuthorizeStep, in, func(ctx context.Context, c stepCall) (PaymentResult, error) {
		rec, found, err := s.payments().get(ctx, c.fare.FareID)
		if err != nil {
			return PaymentResult{}, err
		}
		if result, done, err := preAuthorizeStep.decide(c, rec, found); done {
			return result, err
		}
		auth, err := s.Gateway.PreAuthorize(ctx, gateway.PreAuthorizeRequest{
			IdempotencyKey: c.preauthKey(),
			FareID:         c.fare.FareID,
			PaymentToken:   c.fare.PaymentToken,
			Amount:         c.fare.Money,
		})
		var cancelled *gateway.PreAuthorizationCancelled
		if errors.As(err, &cancelled) {
			// VoidPreAuthorization got to the gateway first: this run comes too late.
			c.log.Warn("the gateway refused a pre-authorisation already cancelled by its compensation")
			return PaymentResult{}, c.alreadyCompensated()
		}
		if err != nil {
			return PaymentResult{}, err
		}
		c.log.Info("gateway pre-authorised the fare", "authorizationCode", auth.Code)
		// Only a missing record: a VoidPreAuthorization that found nothing to void leaves
		// a VOIDED tombstone, and this write must then fail, not overwrite it.
		return s.recordForward(ctx, c, preAuthorizeStep, auth, onlyIfNew)
	})
}
