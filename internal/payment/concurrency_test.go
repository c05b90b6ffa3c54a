package payment

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Step Functions may start a retry while the first invocation still runs: two ChargeFare
// invocations at once must capture once and answer the same.
func TestConcurrentChargesCaptureOnce(t *testing.T) {
	f := newFixture(t)
	f.mustPreAuthorize("fare-1", "cust-1")

	var results [2]PaymentResult
	var errs [2]error
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			<-start
			results[i], errs[i] = f.svc.ChargeFare(f.ctx, input("fare-1", "cust-1", i))
		})
	}
	close(start)
	wg.Wait()

	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	assert.Equal(t, results[0], results[1])
	auth, _ := f.authorization(keyOf("capture", "fare-1"))
	assert.Equal(t, int64(2), auth.Version, "one pre-authorisation and exactly one capture")
	rec, _ := f.payment("fare-1")
	assert.Equal(t, PaymentCaptured, rec.Status)
	assert.Equal(t, results[0].ChargeID, rec.ChargeID)
}
