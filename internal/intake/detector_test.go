package intake

// TODO(detector): these test the stand-ins of detector.go; delete them with it.

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/faresaga/faresaga/internal/steperr"
)

func TestRedactCardNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"unknown field \"4111111111111111\"", "unknown field \"[card number redacted]\""},
		{"rider.5555555555554444", "rider.[card number redacted]"},
		{"4111 1111 1111 1111 and 4111-1111-1111-1111", "[card number redacted] and [card number redacted]"},
		{"6011_0009_9013_9424.", "[card number redacted]."},
		{"ref 1234-4111111111111111", "ref [card number redacted]"}, // a card among other digits
		{"4222222222222", "[card number redacted]"},                 // 13 digits
		{"4000000000000000006", "[card number redacted]"},           // 19 digits
		{"4111111111111112", "4111111111111112"},                    // fails Luhn
		{"+44 7700 900123", "+44 7700 900123"},                      // a phone number
		{"fare 2026-11-27 took 1250 ms", "fare 2026-11-27 took 1250 ms"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactCardNumbers(tt.in), tt.in)
	}
}

func TestRefuseCardData(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		refuse bool
	}{
		{"a fare", `{"fareId":"f-1","customerId":"c","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`, false},
		{"other problems only", `{"fareId":"f-1","amount":"12.50"}`, false},
		{"not JSON", `{"fareId":`, false},
		{"a card field", `{"cc":"x"}`, true},
		{"inside a value", `{"customerId":"rider.5555555555554444"}`, true},
		{"a key", `{"4111111111111111":1}`, true},
		{"a duplicate key", `{"paymentToken":"4111111111111111","paymentToken":"tok_1"}`, true},
		{"escaped", `{"x":"\u0034111111111111111"}`, true},
		{"not JSON, with a card number", `{"x": 4111111111111111,`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RefuseCardData([]byte(tt.input))
			if !tt.refuse {
				assert.NoError(t, err)
				return
			}
			var invalid *steperr.InvalidFareInput
			if assert.True(t, errors.As(err, &invalid), "%v", err) {
				assert.NotContains(t, err.Error(), "4111111111111111")
				assert.NotContains(t, err.Error(), "5555555555554444")
			}
		})
	}
}
