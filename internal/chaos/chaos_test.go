package chaos

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A few hundred sagas with every kind of fault: no promise of the saga may break.
func TestChaosKeepsEveryPromise(t *testing.T) {
	report, err := Run(context.Background(), Config{Sagas: 400, Seed: 20261127, ShardSize: 200})
	require.NoError(t, err)
	assert.Empty(t, report.Violations)
	total := 0
	for _, n := range report.Outcomes {
		total += n
	}
	assert.Equal(t, 400, total, "every saga is accounted for")
	for _, outcome := range []string{OutcomeCompleted, OutcomeCancelled, OutcomeNeedsAttention} {
		assert.Positive(t, report.Outcomes[outcome], outcome)
	}
	for _, k := range Kinds {
		assert.Positive(t, report.Faults[k], "fault %q was never injected", k)
	}
	t.Logf("outcomes %v, faults %v, %s", report.Outcomes, report.Faults, report.Elapsed)
}
