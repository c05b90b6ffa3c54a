package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/statemachine"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunShowsEveryScenarioAndTheTables(t *testing.T) {
	code, out, errOut := runCLI(t, "run")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{
		"fare-happy", "fare-fail-register", "fare-fail-auth", "fare-fail-charge", "fare-fail-credit", "fare-fail-complete",
		"fare-fail-reverse", "fare-fail-refund", "fare-fail-void", "fare-fail-cancel", "fare-transient-auth", "fare-lost-charge",
		"↩ compensating", "NEEDS_ATTENTION", "Fares (", "Payments (", "CustomerAccounts (",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "4111111111111111", "a rejected card number is never echoed")
	// The charge failure is compensated in reverse order.
	charge := out[strings.Index(out, "━━ fare-fail-charge"):]
	charge = charge[:strings.Index(charge[1:], "━━")]
	assert.Less(t, strings.Index(charge, statemachine.RefundFare), strings.Index(charge, statemachine.VoidPreAuthorization))
	assert.Less(t, strings.Index(charge, statemachine.VoidPreAuthorization), strings.Index(charge, statemachine.CancelFare))
}

// The built-in card-data scenario shows the door's refusal: nothing is started, so not
// even the histories --json prints hold the number.
func TestRunJSONOfTheScenariosHoldsNoCardNumber(t *testing.T) {
	code, out, errOut := runCLI(t, "run", "--json")
	require.Equal(t, 0, code, errOut)
	var executions []struct{ Name, Status, Error string }
	require.NoError(t, json.Unmarshal([]byte(out), &executions))
	require.Len(t, executions, len(embedded.Scenarios()))
	last := executions[len(executions)-1]
	assert.Equal(t, []string{"fare-card-data", "REFUSED", "InvalidFareInput"}, []string{last.Name, last.Status, last.Error})
	assert.NotContains(t, out+errOut, "41111111", "no digit run of the scenario's card number in any output or history")
	assert.NotContains(t, out+errOut, `"123"`, "nor its CVV")
}

func TestRunJSONWithAnInputFile(t *testing.T) {
	input := filepath.Join(t.TempDir(), "fare.json")
	require.NoError(t, os.WriteFile(input, []byte(`{"fareId":"fare-9","customerId":"c_fail_charge","amount":990,"currency":"USD","paymentToken":"tok_1"}`), 0o600))
	code, out, errOut := runCLI(t, "run", "--json", "--input", input)
	require.Equal(t, 0, code, errOut)
	var executions []struct {
		Name    string
		Status  string
		Error   string
		Cause   string
		History struct {
			Events []struct {
				ID   int64
				Type string
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &executions))
	require.Len(t, executions, 1)
	x := executions[0]
	assert.Equal(t, "fare-9", x.Name)
	assert.Equal(t, "FAILED", x.Status)
	assert.Equal(t, "CaptureDeclined", x.Error)
	require.NotEmpty(t, x.History.Events)
	assert.Equal(t, "ExecutionStarted", x.History.Events[0].Type)
	assert.Equal(t, "ExecutionFailed", x.History.Events[len(x.History.Events)-1].Type)
}

func TestRunRefusesWhatItCannotRun(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"fareId":`), 0o600))
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--input", bad}, 1, "input must be a JSON object"},
		{[]string{"run", "--input", filepath.Join(t.TempDir(), "missing.json")}, 1, "no such file"},
		{[]string{"run", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"fly"}, 2, `unknown command "fly"`},
		{nil, 2, "usage"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, tt.args...)
		assert.Equal(t, tt.code, code, tt.args)
		assert.Contains(t, errOut, tt.want, tt.args)
	}
}
