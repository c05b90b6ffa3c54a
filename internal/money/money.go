// Package money holds amounts as integer minor units of an ISO 4217 currency.
// Floats never appear: a fare of 12.50 EUR is Money{Amount: 1250, Currency: "EUR"}.
package money

import (
	"fmt"
	"sort"

	"golang.org/x/text/currency"
)

// Money is an amount in the minor units of Currency (cents for USD, yen for JPY).
type Money struct {
	Amount   int64  `json:"amount" dynamodbav:"amount"`
	Currency string `json:"currency" dynamodbav:"currency"`
}

func (m Money) String() string { return fmt.Sprintf("%d %s (minor units)", m.Amount, m.Currency) }

// MaxMajorUnits caps a single fare. A taxi fare above 100,000 in any currency's major
// unit is a bug or an attack, and the cap keeps every amount far from int64 overflow.
const MaxMajorUnits = 100_000

// minorUnitDigits maps every currency that is legal tender today to its ISO 4217
// exponent. Funds codes, precious metals and historic currencies are not accepted:
// nobody pays a taxi in XAU.
var minorUnitDigits = func() map[string]int {
	digits := map[string]int{}
	for it := currency.Query(); it.Next(); {
		unit := it.Unit()
		scale, _ := currency.Standard.Rounding(unit)
		digits[unit.String()] = scale
	}
	return digits
}()

// MinorUnitDigits reports the exponent of an ISO 4217 code, and whether the code is a
// currency we accept. The code must be upper case: "usd" is not an ISO 4217 code.
func MinorUnitDigits(code string) (int, bool) {
	d, ok := minorUnitDigits[code]
	return d, ok
}

// MaxAmount is the largest fare accepted in a currency, in its minor units.
func MaxAmount(code string) (int64, bool) {
	digits, ok := MinorUnitDigits(code)
	if !ok {
		return 0, false
	}
	limit := int64(MaxMajorUnits)
	for range digits {
		limit *= 10
	}
	return limit, true
}

// Currencies lists the accepted codes, sorted, for documentation and error messages.
func Currencies() []string {
	codes := make([]string, 0, len(minorUnitDigits))
	for code := range minorUnitDigits {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}
