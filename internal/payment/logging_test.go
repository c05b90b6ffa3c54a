package payment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogsAreJSONWithTheFareIDAndNeverTheToken(t *testing.T) {
	f := newFixture(t)
	// Every handler, on its success and failure paths, including a lost response.
	f.mustPreAuthorize("fare-1", "cust_lost_charge")
	_ = runCharge(f, "cust_lost_charge")
	f.mustCompensate("cust_lost_charge", refundFare, voidPreAuthorization)
	_ = runCharge(f, "cust_lost_charge")
	_ = runPreAuthorize(f, "cust_lost_charge")

	lines := f.logLines()
	require.NotEmpty(t, lines)
	states := map[any]bool{}
	for i, line := range lines {
		assert.Equal(t, "fare-1", line["fareId"], "line %d: %v", i, line)
		assert.Contains(t, line, "state", "line %d", i)
		assert.Contains(t, line, "attempt", "line %d", i)
		states[line["state"]] = true
	}
	assert.Len(t, states, 4, "every handler logged")
	assert.NotContains(t, f.logs.String(), testToken)
	assert.Contains(t, f.logs.String(), `"error":"FareAlreadyCompensated"`, "failures name their Step Functions error")
}
