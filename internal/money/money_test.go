package money

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMinorUnitDigits(t *testing.T) {
	tests := []struct {
		code   string
		digits int
		ok     bool
	}{
		{"USD", 2, true},
		{"EUR", 2, true},
		{"JPY", 0, true},
		{"KWD", 3, true},
		{"GBP", 2, true},
		{"usd", 0, false},
		{"XAU", 0, false},
		{"DEM", 0, false},
		{"ABC", 0, false},
		{"", 0, false},
		{"USDX", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			digits, ok := MinorUnitDigits(tt.code)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.digits, digits)
		})
	}
}

func TestMaxAmount(t *testing.T) {
	tests := []struct {
		code string
		max  int64
		ok   bool
	}{
		{"USD", 10_000_000, true},
		{"JPY", 100_000, true},
		{"KWD", 100_000_000, true},
		{"ZZZ", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			max, ok := MaxAmount(tt.code)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.max, max)
		})
	}
}

func TestCurrenciesAreSortedAndComplete(t *testing.T) {
	codes := Currencies()
	assert.IsIncreasing(t, codes)
	assert.Contains(t, codes, "USD")
	assert.Greater(t, len(codes), 100, "every legal tender should be accepted")
}
