package intake

// TODO(detector): saga.RefuseCardData and saga.RedactCardNumbers are being written, with
// the rebuilt card detector, in internal/saga/validate.go. Until they land, the two
// functions below stand in for them with exactly their signatures, deciding what is a
// card number with saga.ParseFare's own check. When they land: replace every call of
// intake.RefuseCardData and intake.RedactCardNumbers (and the unqualified calls in this
// package) with the saga functions, and delete this file and detector_test.go.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// cardDataProblem is the problem RefuseCardData reports for a card number that
// ParseFare's field check did not name (one inside a longer value, a key, a duplicate).
const cardDataProblem = "card data is not accepted (the input carries a card number): send the paymentToken your payment provider issued instead"

// RefuseCardData returns an *steperr.InvalidFareInput naming where the input carries
// card data, or nil when it carries none, whatever else is wrong with it. TODO(detector).
func RefuseCardData(raw []byte) error {
	var problems []string
	var invalid *steperr.InvalidFareInput
	if _, err := saga.ParseFare(raw); errors.As(err, &invalid) {
		for _, problem := range invalid.Problems {
			if strings.Contains(problem, "card data") {
				problems = append(problems, RedactCardNumbers(problem))
			}
		}
	}
	if len(problems) == 0 && carriesCardNumber(raw) {
		problems = append(problems, cardDataProblem)
	}
	if len(problems) == 0 {
		return nil
	}
	return &steperr.InvalidFareInput{Problems: problems}
}

// carriesCardNumber looks at every key and every value of a JSON text, duplicates
// included, and at the raw text when it is not JSON.
func carriesCardNumber(raw []byte) bool {
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	for {
		token, err := decoder.Token()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			return RedactCardNumbers(string(raw)) != string(raw)
		}
		if text := fmt.Sprint(token); RedactCardNumbers(text) != text {
			return true
		}
	}
}

// redacted replaces a card number in a text.
const redacted = "[card number redacted]"

// RedactCardNumbers returns s with every card number in it replaced. TODO(detector).
func RedactCardNumbers(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			out.WriteByte(s[i])
			i++
			continue
		}
		end := i // the run: digits, and separators between digits
		for j := i; j < len(s) && (isDigit(s[j]) || isSeparator(s[j])); j++ {
			if isDigit(s[j]) {
				end = j + 1
			}
		}
		if run := s[i:end]; holdsCardNumber(run) {
			out.WriteString(redacted)
		} else {
			out.WriteString(run)
		}
		i = end
	}
	return out.String()
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isSeparator(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '_' }

// holdsCardNumber reports whether a run of digits and separators is a card number, or
// has one among its unseparated groups of digits.
func holdsCardNumber(run string) bool {
	candidates := []string{strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, run)}
	candidates = append(candidates, strings.FieldsFunc(run, func(r rune) bool { return r < '0' || r > '9' })...)
	for _, digits := range candidates {
		if len(digits) >= 13 && len(digits) <= 19 && parseFareSeesACard(digits) {
			return true
		}
	}
	return false
}

// parseFareSeesACard asks ParseFare whether digits, as a field value, look like a card
// number, so that this stand-in decides exactly as RegisterFare does today.
func parseFareSeesACard(digits string) bool {
	_, err := saga.ParseFare(json.RawMessage(`{"paymentToken":"` + digits + `"}`))
	var invalid *steperr.InvalidFareInput
	if !errors.As(err, &invalid) {
		return false
	}
	for _, problem := range invalid.Problems {
		if strings.Contains(problem, "looks like a card number") {
			return true
		}
	}
	return false
}
