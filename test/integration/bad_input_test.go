package integration

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/statemachine"
)

// Luhn-valid card numbers (test cards), and a CVV unlikely to appear by chance.
const (
	visaTestCard   = "4111111111111111"
	masterTestCard = "5555555555554444"
	cvv            = "987"
)

// badFare is a fare input with some fields replaced or removed: nil removes a field.
func badFare(fareID, customerID string, changes map[string]any) string {
	fields := map[string]any{"fareId": fareID, "customerId": customerID, "amount": 1250, "currency": "EUR", "paymentToken": "tok_visa_4242"}
	for name, value := range changes {
		if value == nil {
			delete(fields, name)
		} else {
			fields[name] = value
		}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// rawNumber is a JSON number written as is, so fractions and huge values reach the
// saga exactly as a client would send them.
type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		name    string
		changes map[string]any
		problem string   // in the cause: the problem, by field name
		secrets []string // never in the cause
	}{
		{"missing field", map[string]any{"customerId": nil}, `missing field \"customerId\"`, nil},
		{"missing everything but the fareId", map[string]any{"customerId": nil, "amount": nil, "currency": nil, "paymentToken": nil}, `missing field \"paymentToken\"`, nil},
		{"empty string", map[string]any{"paymentToken": ""}, `field \"paymentToken\" must not be empty`, nil},
		{"wrong type: string amount", map[string]any{"amount": "1250"}, `field \"amount\" must be an integer number of minor units`, nil},
		{"wrong type: number customerId", map[string]any{"customerId": 42}, `field \"customerId\" must be a string, got a number`, nil},
		{"wrong type: object currency", map[string]any{"currency": map[string]any{"code": "EUR"}}, `field \"currency\" must be an ISO 4217 code string`, nil},
		{"fraction", map[string]any{"amount": rawNumber("12.5")}, "not a fraction or exponent", nil},
		{"zero amount", map[string]any{"amount": 0}, `field \"amount\" must be positive`, nil},
		{"negative amount", map[string]any{"amount": -1250}, `field \"amount\" must be positive`, nil},
		{"absurd amount", map[string]any{"amount": rawNumber("1000000000000")}, `field \"amount\" must be at most`, nil},
		// The saga's JSONata reads numbers as doubles, so this one reaches RegisterFare
		// as 1e+23 and is refused as an exponent: refused all the same.
		{"amount beyond int64", map[string]any{"amount": rawNumber("99999999999999999999999")}, `field \"amount\" must be an integer`, nil},
		{"unknown currency", map[string]any{"currency": "XYZ"}, `field \"currency\" must be an upper-case ISO 4217 code`, nil},
		{"lower-case currency", map[string]any{"currency": "eur"}, `field \"currency\" must be an upper-case ISO 4217 code`, nil},
		{"oversized field", map[string]any{"paymentToken": strings.Repeat("t", 300)}, `field \"paymentToken\" must be 1-256`, nil},
		{"oversized input", map[string]any{"note": strings.Repeat("n", 5000)}, "a fare is at most 4096", nil},
		{"forbidden characters", map[string]any{"customerId": "cust 42/<script>"}, `field \"customerId\" must be 1-128`, []string{"<script>"}},
		{"unknown field", map[string]any{"tip": 100}, "an unknown field (member 6 of the input) is not accepted", nil},
		{"card fields", map[string]any{"cc": visaTestCard, "cvv": cvv, "expiryDate": "12/29"}, `card data is not accepted (field \"cc\")`, []string{visaTestCard, cvv, "12/29"}},
		{"card number as the token", map[string]any{"paymentToken": visaTestCard}, `card data is not accepted (field \"paymentToken\" looks like a card number)`, []string{visaTestCard}},
		{"card number in a nested field", map[string]any{"meta": map[string]any{"ref": "5555 5555 5555 4444"}}, "looks like a card number", []string{masterTestCard, "5555 5555 5555 4444"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scenario := "bad-" + strings.ReplaceAll(strings.ReplaceAll(tt.name, " ", "-"), ":", "")
			id, customer := fareID(scenario), customerID(scenario, "")

			x := runFare(t, tg, id, badFare(id, customer, tt.changes), tg.Timeouts.Execution)

			assertRefused(t, x, tt.problem, tt.secrets)
			assertNothingWritten(t, tg, id, customer)
		})
	}
}

func TestNonObjectInputIsRefusedAndWritesNothing(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	for name, input := range map[string]string{
		"array":  `[{"fareId":"x"}]`,
		"string": `"` + visaTestCard + `"`,
		"number": `1250`,
		"null":   `null`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			id := fareID("not-an-object-" + name) // only the execution name: the input has no fareId

			x := runFare(t, tg, id, input, tg.Timeouts.Execution)

			assertRefused(t, x, "input must be a JSON object", []string{visaTestCard})
			assertNothingWritten(t, tg, id, id)
		})
	}
}

// assertRefused checks that the execution failed at RegisterFare with
// InvalidFareInput, naming the problem without echoing what must stay secret.
func assertRefused(t *testing.T, x finished, problem string, secrets []string) {
	t.Helper()
	require.Equal(t, types.ExecutionStatusFailed, x.Status)
	assert.Equal(t, "InvalidFareInput", x.errorName())
	assert.Contains(t, x.cause(), "RegisterFare failed with InvalidFareInput; nothing was written")
	assert.Contains(t, x.cause(), problem)
	for _, secret := range secrets {
		assert.NotContains(t, x.cause(), secret, "the cause must not echo what was refused")
	}
	assert.Equal(t, []string{statemachine.RegisterFare, statemachine.FareProcessingFailed}, enteredStates(x.History),
		"bad input skips the compensation chain and the notification")
}

// assertNothingWritten checks every table and the outcome messages for traces of a
// fare that was refused.
func assertNothingWritten(t *testing.T, tg *Target, fareID, customerID string) {
	t.Helper()
	_, found := readFare(t, tg, fareID)
	assert.False(t, found, "no Fares item")
	_, found = readPayment(t, tg, fareID)
	assert.False(t, found, "no Payments item")
	assert.Empty(t, readAccount(t, tg, customerID), "no CustomerAccounts items")
	assert.Empty(t, tg.Outcomes.Received(fareID), "nothing announced")
}
