package account

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogsAreJSONWithTheFareIDAndNoToken(t *testing.T) {
	f := newFixture(t)
	fare := fareOf("fare-1", "cust-1_transient_credit", 1250, "EUR")
	for attempt := range 3 {
		_, _ = f.credit(t, fare, attempt)
	}
	_, _ = f.credit(t, fare, 3)                                        // already credited
	_, _ = f.credit(t, fareOf("fare-1", fare.CustomerID, 1, "EUR"), 2) // conflict
	_, _ = f.reverse(t, fare, 0)
	_, _ = f.reverse(t, fare, 1)

	output := f.logs.String()
	assert.NotContains(t, output, paymentToken)
	lines := strings.Split(strings.TrimSpace(output), "\n")
	require.Greater(t, len(lines), 10)
	messages := map[string]bool{}
	for _, line := range lines {
		var record map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &record), "not JSON: %s", line)
		assert.Equal(t, "fare-1", record["fareId"], "line without the fareId: %s", line)
		assert.Contains(t, record, "state")
		assert.Contains(t, record, "attempt")
		messages[record["msg"].(string)] = true
	}
	for _, want := range []string{
		"customer account credited", "credit already recorded; returning it", "step failed",
		"customer credit compensated",
	} {
		assert.True(t, messages[want], "no %q line in:\n%s", want, output)
	}
	assert.Contains(t, output, `"error":"FareConflict"`, "failures log the Step Functions error name")
}
