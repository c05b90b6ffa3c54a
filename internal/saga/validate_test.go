package saga

import (
	"strings"
	"testing"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validInput = `{"fareId":"fare-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_visa"}`

func TestParseFareAcceptsAValidFare(t *testing.T) {
	fare, err := ParseFare([]byte(validInput))
	require.NoError(t, err)
	assert.Equal(t, Fare{FareID: "fare-1", CustomerID: "cust-1", Money: money.Money{Amount: 1250, Currency: "EUR"}, PaymentToken: "tok_visa"}, fare)
}

func TestParseFareRejectsBadInput(t *testing.T) {
	const visa = "4111111111111111"
	tests := []struct {
		name  string
		input string
		want  []string // substrings every one of which must appear in the message
		// hidden must not appear in the message: a value or a name the client chose
		hidden string
	}{
		{"not json", `{"fareId":`, []string{"must be a JSON object"}, ""},
		{"array", `[1,2]`, []string{"must be a JSON object, got an array"}, ""},
		{"string", `"fare"`, []string{"got a string"}, ""},
		{"null", `null`, []string{"got null"}, ""},
		{"trailing data", validInput + `{}`, []string{"must be a JSON object"}, ""},
		{"empty object", `{}`, []string{`missing field "fareId"`, `missing field "customerId"`, `missing field "amount"`, `missing field "currency"`, `missing field "paymentToken"`}, ""},
		{"empty strings", `{"fareId":"","customerId":"","amount":1,"currency":"USD","paymentToken":""}`, []string{`"fareId" must not be empty`, `"customerId" must not be empty`, `"paymentToken" must not be empty`}, ""},
		{"null field", `{"fareId":null,"customerId":"c","amount":1,"currency":"USD","paymentToken":"t"}`, []string{`missing field "fareId"`}, ""},
		{"fareId wrong type", `{"fareId":12,"customerId":"c","amount":1,"currency":"USD","paymentToken":"t"}`, []string{`"fareId" must be a string, got a number`}, ""},
		{"fareId with spaces", `{"fareId":"fare 1","customerId":"c","amount":1,"currency":"USD","paymentToken":"t"}`, []string{`"fareId" must be 1-80`}, ""},
		{"fareId too long", `{"fareId":"` + strings.Repeat("f", 81) + `","customerId":"c","amount":1,"currency":"USD","paymentToken":"t"}`, []string{`"fareId" must be 1-80`, "got 81 characters"}, ""},
		{"customerId too long", `{"fareId":"f","customerId":"` + strings.Repeat("c", 129) + `","amount":1,"currency":"USD","paymentToken":"t"}`, []string{`"customerId" must be 1-128`}, ""},
		{"amount as string", `{"fareId":"f","customerId":"c","amount":"12.50","currency":"USD","paymentToken":"t"}`, []string{`"amount" must be an integer number of minor units`, "got a string"}, ""},
		{"amount fraction", `{"fareId":"f","customerId":"c","amount":12.5,"currency":"USD","paymentToken":"t"}`, []string{"not a fraction or exponent"}, ""},
		{"amount exponent", `{"fareId":"f","customerId":"c","amount":1e3,"currency":"USD","paymentToken":"t"}`, []string{"not a fraction or exponent"}, ""},
		{"amount zero", `{"fareId":"f","customerId":"c","amount":0,"currency":"USD","paymentToken":"t"}`, []string{`"amount" must be positive`}, ""},
		{"amount negative", `{"fareId":"f","customerId":"c","amount":-5,"currency":"USD","paymentToken":"t"}`, []string{`"amount" must be positive`}, "-5"},
		{"amount absurd", `{"fareId":"f","customerId":"c","amount":10000001,"currency":"USD","paymentToken":"t"}`, []string{"at most 10000000 minor units of USD"}, "10000001"},
		{"amount absurd in yen", `{"fareId":"f","customerId":"c","amount":100001,"currency":"JPY","paymentToken":"t"}`, []string{"at most 100000 minor units of JPY"}, ""},
		{"amount overflow", `{"fareId":"f","customerId":"c","amount":99999999999999999999,"currency":"USD","paymentToken":"t"}`, []string{`"amount" is out of range`}, ""},
		{"amount bool", `{"fareId":"f","customerId":"c","amount":true,"currency":"USD","paymentToken":"t"}`, []string{"got a boolean"}, ""},
		{"currency unknown", `{"fareId":"f","customerId":"c","amount":1,"currency":"ABC","paymentToken":"t"}`, []string{`ISO 4217`}, "ABC"},
		{"currency lower case", `{"fareId":"f","customerId":"c","amount":1,"currency":"usd","paymentToken":"t"}`, []string{`must be an upper-case ISO 4217 code`}, "usd"},
		{"currency long is cut", `{"fareId":"f","customerId":"c","amount":1,"currency":"USDOLLARS","paymentToken":"t"}`, []string{`must be an upper-case ISO 4217 code`}, "DOLLARS"},
		{"currency number", `{"fareId":"f","customerId":"c","amount":1,"currency":840,"paymentToken":"t"}`, []string{"code string, got a number"}, ""},
		{"unknown field", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","tip":5}`, []string{`an unknown field (member 6 of the input) is not accepted`}, "tip"},
		{"oversized input", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","pad":"` + strings.Repeat("x", MaxInputBytes) + `"}`, []string{"a fare is at most 4096"}, ""},
		{"workshop card fields", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","cc":"` + visa + `","cvv":"123","expiryDate":"12/29"}`, []string{`card data is not accepted (field "cc")`, `(field "cvv")`, `(field "expiryDate")`}, ""},
		{"card field spelled differently", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","card_number":"x"}`, []string{`(field "cardNumber")`}, "card_number"},
		{"card number as token", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"` + visa + `"}`, []string{`field "paymentToken" looks like a card number`}, ""},
		{"card number with spaces", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","note":"4111 1111 1111 1111"}`, []string{`an unknown field (member 6 of the input) looks like a card number`}, "note"},
		{"card number nested", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","meta":{"x":["` + visa + `"]}}`, []string{`element 1 of member 1 of an unknown field (member 6 of the input) looks like a card number`}, "meta"},
		{"card number as a json number", `{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","n":4111111111111111}`, []string{`an unknown field (member 6 of the input) looks like a card number`}, `"n"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFare([]byte(tt.input))
			require.Error(t, err)
			assert.Equal(t, "InvalidFareInput", steperr.Name(err))
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "4111", "a rejected card number must not be echoed")
			assert.NotContains(t, err.Error(), "12/29")
			if tt.hidden != "" {
				assert.NotContains(t, err.Error(), tt.hidden, "the message echoes the input")
			}
		})
	}
}
