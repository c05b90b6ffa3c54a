package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/internal/gateway"
)

// maxSettleSteps covers the longest path to a final status: a void refused because a
// capture slipped in, then the refund of that capture.
const maxSettleSteps = 3

// settle leaves the customer with neither a hold nor a charge: it voids an authorisation
// that is only authorised and refunds one that was captured. auth may be stale; when the
// gateway refuses a call because the authorisation moved on, settle follows the state
// the gateway reports, so it ends on the gateway's real final state. The fare's void and
// refund keys make every run, and every late forward step undoing itself, one effect.
func (s *Service) settle(ctx context.Context, c stepCall, auth gateway.Authorization) (gateway.Authorization, error) {
	for range maxSettleSteps {
		var next gateway.Authorization
		var err error
		switch auth.Status {
		case gateway.StatusVoided, gateway.StatusRefunded, gateway.StatusExpired:
			return auth, nil
		case gateway.StatusAuthorized:
			next, err = s.Gateway.Void(ctx, gateway.VoidRequest{IdempotencyKey: c.voidKey(), FareID: c.fare.FareID, AuthorizationCode: auth.Code})
		case gateway.StatusCaptured:
			next, err = s.Gateway.Refund(ctx, gateway.RefundRequest{IdempotencyKey: c.refundKey(), FareID: c.fare.FareID, AuthorizationCode: auth.Code})
		default:
			return auth, fmt.Errorf("authorisation %s has unknown status %q", auth.Code, auth.Status)
		}
		var moved *gateway.InvalidTransition
		if errors.As(err, &moved) {
			c.log.Warn("authorisation moved on at the gateway", "authorizationCode", auth.Code,
				"expected", auth.Status, "gatewayStatus", moved.Current.Status)
			auth = moved.Current
			continue
		}
		if err != nil {
			return auth, err
		}
		c.log.Info("gateway reports the payment released", "authorizationCode", next.Code, "gatewayStatus", next.Status,
			"voidId", next.VoidID, "refundId", next.RefundID)
		auth = next
	}
	if !auth.Status.Final() {
		return auth, fmt.Errorf("authorisation %s still %s after %d gateway calls", auth.Code, auth.Status, maxSettleSteps)
	}
	return auth, nil
}

// settleAndRecord settles auth and records the final state. It also returns the state
// that recorded it: this step, or another that got there first.
func (s *Service) settleAndRecord(ctx context.Context, c stepCall, auth gateway.Authorization) (gateway.Authorization, string, error) {
	settled, err := s.settle(ctx, c, auth)
	if err != nil {
		return settled, "", err
	}
	if err := s.afterEffect(c); err != nil {
		return settled, "", err
	}
	compensatedBy, err := s.recordSettled(ctx, c, settled)
	return settled, compensatedBy, err
}

// recordSettled records a final gateway state and returns the state that recorded it.
// A record that already shows it is left alone: an earlier run, or another step, wrote
// it.
func (s *Service) recordSettled(ctx context.Context, c stepCall, settled gateway.Authorization) (string, error) {
	ch := change{status: paymentStatusOf[settled.Status], auth: settled, compensatedBy: c.state, cond: notYetVoided}
	if settled.Status == gateway.StatusRefunded {
		ch.cond = notYetRefunded
	}
	err := s.payments().record(ctx, c.fare, c.owner, ch)
	if !errors.Is(err, errRecordChanged) {
		return c.state, err
	}
	rec, _, err := s.payments().get(ctx, c.fare.FareID)
	c.log.Info("payment record already shows the release", "gatewayStatus", settled.Status, "compensatedBy", rec.CompensatedBy)
	return rec.CompensatedBy, err
}
