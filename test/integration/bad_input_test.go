package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/intake"
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
// door exactly as a client would send them.
type rawNumber string

func (n rawNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

// Bad input never reaches Step Functions: the door refuses it (400, naming every
// problem, echoing nothing), starts no execution, and nothing is written anywhere.
func TestBadInputIsRefusedAndWritesNothing(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	tests := []struct {
		name    string
		changes map[string]any
		problem string   // among the answer's problems, by field name
		secrets []string // never in the answer
	}{
		{"missing field", map[string]any{"customerId": nil}, `missing field "customerId"`, nil},
		{"missing everything but the fareId", map[string]any{"customerId": nil, "amount": nil, "currency": nil, "paymentToken": nil}, `missing field "paymentToken"`, nil},
		{"empty string", map[string]any{"paymentToken": ""}, `field "paymentToken" must not be empty`, nil},
		{"wrong type: string amount", map[string]any{"amount": "1250"}, `field "amount" must be an integer number of minor units`, nil},
		{"wrong type: number customerId", map[string]any{"customerId": 42}, `field "customerId" must be a string, got a number`, nil},
		{"wrong type: object currency", map[string]any{"currency": map[string]any{"code": "EUR"}}, `field "currency" must be an ISO 4217 code string`, nil},
		{"fraction", map[string]any{"amount": rawNumber("12.5")}, "not a fraction or exponent", nil},
		{"zero amount", map[string]any{"amount": 0}, `field "amount" must be positive`, nil},
		{"negative amount", map[string]any{"amount": -1250}, `field "amount" must be positive`, nil},
		{"absurd amount", map[string]any{"amount": rawNumber("1000000000000")}, `field "amount" must be at most`, nil},
		{"amount beyond int64", map[string]any{"amount": rawNumber("99999999999999999999999")}, `field "amount" is out of range`, nil},
		{"unknown currency", map[string]any{"currency": "XYZ"}, `field "currency" must be an upper-case ISO 4217 code`, nil},
		{"lower-case currency", map[string]any{"currency": "eur"}, `field "currency" must be an upper-case ISO 4217 code`, nil},
		{"oversized field", map[string]any{"paymentToken": strings.Repeat("t", 300)}, `field "paymentToken" must be 1-256`, nil},
		{"oversized input", map[string]any{"note": strings.Repeat("n", 5000)}, "larger than 4096 bytes", nil},
		{"forbidden characters", map[string]any{"customerId": "cust 42/<script>"}, `field "customerId" must be 1-128`, []string{"<script>", "script"}},
		{"unknown field", map[string]any{"tip": 100}, "an unknown field (member", nil},
		{"card fields", map[string]any{"cc": visaTestCard, "cvv": cvv, "expiryDate": "12/29"}, `card data is not accepted (field "cc")`, []string{visaTestCard, cvv, "12/29"}},
		{"card number as the token", map[string]any{"paymentToken": visaTestCard}, `card data is not accepted (field "paymentToken" looks like a card number)`, []string{visaTestCard}},
		{"card number in a nested field", map[string]any{"meta": map[string]any{"ref": "5555 5555 5555 4444"}}, "looks like a card number", []string{masterTestCard, "5555 5555 5555 4444"}},
		{"card number inside an id", map[string]any{"customerId": "rider." + masterTestCard}, "card data is not accepted", []string{masterTestCard}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scenario := "bad-" + strings.ReplaceAll(strings.ReplaceAll(tt.name, " ", "-"), ":", "")
			id, customer := fareID(scenario), customerID(scenario, "")

			answer := refused(t, tg, badFare(id, customer, tt.changes), tt.problem, tt.secrets)

			assert.NotContains(t, answer.body, id, "the answer to a refused fare names no fareId")
			assertNoExecution(t, tg, id)
			assertNothingWritten(t, tg, id, customer)
			status, _ := fareStatus(t, tg, id)
			assert.Equal(t, http.StatusNotFound, status, "the door knows no such fare")
		})
	}
}

func TestNonObjectInputIsRefused(t *testing.T) {
	tg := useTarget(t)
	t.Parallel()
	for name, input := range map[string]string{
		"array":    `[{"fareId":"x"}]`,
		"string":   `"` + visaTestCard + `"`,
		"number":   `1250`,
		"null":     `null`,
		"not JSON": `{"fareId":`,
		"empty":    ``,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			refused(t, tg, input, "input must be a JSON object", []string{visaTestCard})
		})
	}
}

// refused submits input, which the door must refuse with a 400 that names the problem
// and echoes none of the secrets.
func refused(t *testing.T, tg *Target, input, problem string, secrets []string) doorAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.Execution)
	defer cancel()
	answer, err := submit(ctx, tg, input)
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, answer.status, "%s", answer.body)
	assert.Equal(t, intake.InvalidFareInput, answer.Error)
	assert.Contains(t, strings.Join(answer.Problems, "\n"), problem)
	for _, secret := range secrets {
		assert.NotContains(t, answer.body, secret, "the answer must not echo what was refused")
	}
	return answer
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
