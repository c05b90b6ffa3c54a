package saga

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/steperr"
)

// plainRule is the card-number rule written the slow, obvious way, for ASCII text read
// literally: split into digit groups, letters and separators; try every window of
// consecutive groups with only separators between them. The detector also reads
// encodings, so it must find at least what plainRule finds.
func plainRule(s string) bool {
	type piece struct {
		digits string
		wall   bool // a letter, or a run too long to be part of a card
	}
	var pieces []piece
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			pieces = append(pieces, piece{digits: s[i:j], wall: j-i > maxCardDigits})
			i = j
		case isLetter(c):
			pieces = append(pieces, piece{wall: true})
			i++
		default:
			i++
		}
	}
	for i := range pieces {
		window := ""
		for j := i; j < len(pieces) && !pieces[j].wall; j++ {
			window += pieces[j].digits
			if len(window) >= minCardDigits && len(window) <= maxCardDigits && luhnValid(window) {
				return true
			}
		}
	}
	return false
}

func FuzzCardNumbers(f *testing.F) {
	for _, card := range cardsByLength {
		for _, form := range cardForms(card) {
			f.Add(form)
		}
	}
	for _, id := range realisticIDs {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found := ContainsCardNumber(s)
		redacted := RedactCardNumbers(s)
		require.False(t, ContainsCardNumber(redacted), "redacted: %q", redacted)
		if !found {
			require.Equal(t, s, redacted)
		}
		if isPlainASCII(s) && plainRule(s) {
			require.True(t, found, "the plain rule finds a card number in %q", s)
		}
	})
}

// isPlainASCII is ASCII text whose encodings (which make encodedRuns read some digits
// as encoded text) do not apply.
func isPlainASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return !strings.ContainsAny(s, "%&")
}

func FuzzParseFare(f *testing.F) {
	f.Add([]byte(validInput))
	f.Add([]byte(`{"fareId":"f","customerId":"rider.5555555555554444","amount":1,"currency":"USD","paymentToken":"t"}`))
	f.Add([]byte(`{"fareId":"f","customerId":"c","amount":1,"currency":"USD","paymentToken":"t","4111111111111111":[["4111","1111"],[1111,1111]]}`))
	f.Add([]byte(`{"a":{"b":1,"b":"4111 1111 1111 1111"},"n":4.111111111111111e15,"x":"%34%31\u0031"}`))
	f.Add([]byte(`{"cvv":"123","expiryDate":"12/29","cc":"4111111111111111"}`))
	f.Add([]byte(`["4111","1111",null,"1111","1111"]`))
	f.Add([]byte("{\"note\":\"\xff4111111111111111\"}"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fare, err := ParseFare(raw)
		refusal := RefuseCardData(raw)
		for _, e := range []error{err, refusal} {
			if e == nil {
				continue
			}
			var invalid *steperr.InvalidFareInput
			require.True(t, errors.As(e, &invalid), "%T", e)
			require.False(t, ContainsCardNumber(e.Error()), "the error holds a card number: %s", e)
		}
		if err == nil {
			assert.NoError(t, refusal, "ParseFare accepted what RefuseCardData refuses")
			for _, field := range []string{fare.FareID, fare.CustomerID, fare.PaymentToken, fare.Currency} {
				require.False(t, ContainsCardNumber(field))
			}
		}
		if refusal != nil && len(raw) <= MaxInputBytes {
			require.Error(t, err, "RefuseCardData refused what ParseFare accepts")
		}
	})
}
