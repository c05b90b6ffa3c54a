package gatewaytest

import (
	"context"
	"sync"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Lossy stands in front of a gateway that has no wire to cut, such as the simulated
// one: the next call of an operation armed with Lose is applied, and then its answer
// is replaced by GatewayUnavailable, as a dropped connection would leave the caller.
type Lossy struct {
	gateway.Gateway
	mu    sync.Mutex
	armed map[string]bool
}

// NewLossy wraps g.
func NewLossy(g gateway.Gateway) *Lossy { return &Lossy{Gateway: g, armed: map[string]bool{}} }

// Lose arms operation (gateway.OpPreAuthorize, OpCapture, OpVoid or OpRefund).
func (l *Lossy) Lose(operation string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.armed[operation] = true
}

func (l *Lossy) PreAuthorize(ctx context.Context, req gateway.PreAuthorizeRequest) (gateway.Authorization, error) {
	return l.answer(gateway.OpPreAuthorize)(l.Gateway.PreAuthorize(ctx, req))
}

func (l *Lossy) Capture(ctx context.Context, req gateway.CaptureRequest) (gateway.Authorization, error) {
	return l.answer(gateway.OpCapture)(l.Gateway.Capture(ctx, req))
}

func (l *Lossy) Void(ctx context.Context, req gateway.VoidRequest) (gateway.Authorization, error) {
	return l.answer(gateway.OpVoid)(l.Gateway.Void(ctx, req))
}

func (l *Lossy) Refund(ctx context.Context, req gateway.RefundRequest) (gateway.Authorization, error) {
	return l.answer(gateway.OpRefund)(l.Gateway.Refund(ctx, req))
}

// answer passes the gateway's answer on, unless operation was armed: then it is lost.
func (l *Lossy) answer(operation string) func(gateway.Authorization, error) (gateway.Authorization, error) {
	l.mu.Lock()
	lost := l.armed[operation]
	delete(l.armed, operation)
	l.mu.Unlock()
	return func(auth gateway.Authorization, err error) (gateway.Authorization, error) {
		if lost {
			return gateway.Authorization{}, &steperr.GatewayUnavailable{Operation: operation}
		}
		return auth, err
	}
}
