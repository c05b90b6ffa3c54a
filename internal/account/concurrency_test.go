package account

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/saga"
)

// concurrently runs do(0..n-1) on n goroutines and waits for all of them.
func concurrently(n int, do func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { do(i) })
	}
	wg.Wait()
}

func TestManyFaresOfOneCustomerCreditedAtOnce(t *testing.T) {
	const fares = 50
	f := newFixture(t)
	errs := make([]error, fares)

	concurrently(fares, func(i int) {
		_, errs[i] = f.credit(t, fareOf(fmt.Sprintf("fare-%d", i), "cust-1", int64(i+1), "EUR"), 0)
	})

	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(fares*(fares+1)/2), f.balance(t, "cust-1", "EUR"))
	assert.Len(t, f.entries(t, "cust-1"), fares)
}

func TestOneFareCreditedManyTimesAtOnce(t *testing.T) {
	const runs = 20
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1", 1250, "EUR")
	results := make([]CreditResult, runs)
	errs := make([]error, runs)

	concurrently(runs, func(i int) { results[i], errs[i] = f.credit(t, fare, i%3) })

	for i := range runs {
		require.NoError(t, errs[i])
		assert.Equal(t, results[0], results[i])
	}
	assert.Equal(t, int64(1250), f.balance(t, "cust-1", "EUR"))
	assert.Len(t, f.entries(t, "cust-1"), 1)
}

// A credit and its compensation racing, for many fares: whichever lands first, every
// fare ends compensated, the balance ends where it started, and the two answers agree.
func TestCreditsRacingTheirCompensations(t *testing.T) {
	const fares = 25
	f := newFixture(t)
	creditErrs := make([]error, fares)
	outcomes := make([]saga.CompensationResult, fares)
	reverseErrs := make([]error, fares)

	concurrently(2*fares, func(i int) {
		fare := fareOf(fmt.Sprintf("fare-%d", i/2), "cust-1", 100, "EUR")
		if i%2 == 0 {
			_, creditErrs[i/2] = f.credit(t, fare, 0)
		} else {
			outcomes[i/2], reverseErrs[i/2] = f.reverse(t, fare, 0)
		}
	})

	for i := range fares {
		require.NoError(t, reverseErrs[i])
		switch outcomes[i].Outcome {
		case OutcomeReversed:
			assert.NoError(t, creditErrs[i], "fare %d was reversed, so its credit landed", i)
		case OutcomeNothingToReverse:
			assert.Equal(t, "FareAlreadyCompensated", errorName(creditErrs[i]), "fare %d was fenced before its credit", i)
		default:
			t.Errorf("fare %d: unexpected outcome %q", i, outcomes[i].Outcome)
		}
	}
	assert.Zero(t, f.balance(t, "cust-1", "EUR"))
	for _, entry := range f.entries(t, "cust-1") {
		if entry.Kind == KindReversal && !entry.IsTombstone() {
			assert.Equal(t, int64(100), entry.Amount)
		}
	}
}
