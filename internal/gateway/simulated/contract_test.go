package simulated

import (
	"testing"
	"time"

	"github.com/faresaga/faresaga/internal/gateway/gatewaytest"
)

func TestSimulatedGatewayContract(t *testing.T) {
	for kind, newStore := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			gatewaytest.Run(t, func(t *testing.T) gatewaytest.Target {
				now := fixedNow
				lossy := gatewaytest.NewLossy(New(newStore(t), func() time.Time { return now }))
				return gatewaytest.Target{
					Gateway:          lossy,
					Tokens:           gatewaytest.Tokens{Approved: testToken, Declined: DeclinedToken, CaptureDeclined: CaptureDeclinedToken},
					Age:              func(d time.Duration) { now = now.Add(d) },
					LoseNextResponse: lossy.Lose,
				}
			})
		})
	}
}
