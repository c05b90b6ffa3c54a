package saga

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// MaxInputBytes bounds the execution input we look at. A fare is five short fields;
// anything near this size is not a fare.
const MaxInputBytes = 4096

var (
	// fareIDPattern is what Step Functions accepts as an execution name (the fareId is
	// the execution name), narrowed to characters that are safe in every key and log.
	fareIDPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	customerIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.:@-]{1,128}$`)
	tokenPattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

var requiredFields = []string{"fareId", "customerId", "amount", "currency", "paymentToken"}

// cardFields are names under which clients send raw card data, compared after
// lower-casing and dropping everything but letters and digits.
var cardFields = map[string]bool{
	"cc": true, "ccnumber": true, "ccnum": true, "card": true, "cardnumber": true, "pan": true,
	"cvv": true, "cvv2": true, "cvc": true, "cvc2": true, "securitycode": true, "cardsecuritycode": true,
	"expiry": true, "expirydate": true, "expdate": true, "expirationdate": true, "exp": true,
	"expmonth": true, "expyear": true,
}

// ParseFare validates an execution input and returns the fare it describes. Every
// problem is reported at once, by field name; values are never echoed, since a
// rejected value may be a card number.
func ParseFare(raw json.RawMessage) (Fare, error) {
	if len(raw) > MaxInputBytes {
		return Fare{}, invalid(fmt.Sprintf("input is %d bytes; a fare is at most %d", len(raw), MaxInputBytes))
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil || decoder.More() {
		return Fare{}, invalid("input must be a JSON object with fields " + strings.Join(requiredFields, ", "))
	}
	fields, ok := value.(map[string]any)
	if !ok {
		return Fare{}, invalid(fmt.Sprintf("input must be a JSON object, got %s", jsonType(value)))
	}

	var problems []string
	problems = append(problems, cardDataProblems("", fields)...)
	known := map[string]bool{}
	for _, name := range requiredFields {
		known[name] = true
	}
	for name := range fields {
		if !known[name] && !cardFields[normalizeFieldName(name)] {
			problems = append(problems, fmt.Sprintf("unknown field %q", name))
		}
	}

	var fare Fare
	fare.FareID, problems = stringField(fields, "fareId", fareIDPattern, "1-80 letters, digits, '-' or '_'", problems)
	fare.CustomerID, problems = stringField(fields, "customerId", customerIDPattern, "1-128 letters, digits or . _ : @ -", problems)
	fare.Currency, problems = currencyField(fields, problems)
	fare.Amount, problems = amountField(fields, fare.Currency, problems)
	fare.PaymentToken, problems = stringField(fields, "paymentToken", tokenPattern, "1-256 letters, digits, '-' or '_'", problems)
	if looksLikeCardNumber(fare.PaymentToken) {
		fare.PaymentToken = ""
	}

	if len(problems) > 0 {
		sort.Strings(problems)
		return Fare{}, &steperr.InvalidFareInput{Problems: slices.Compact(problems)}
	}
	return fare, nil
}

// ValidFareID reports whether id is a fareId we accept, which is also a valid execution
// name: the fareId names the fare's execution.
func ValidFareID(id string) bool { return fareIDPattern.MatchString(id) }

func invalid(problem string) error { return &steperr.InvalidFareInput{Problems: []string{problem}} }

func stringField(fields map[string]any, name string, pattern *regexp.Regexp, rule string, problems []string) (string, []string) {
	value, present := fields[name]
	if !present || value == nil {
		return "", append(problems, fmt.Sprintf("missing field %q", name))
	}
	s, ok := value.(string)
	switch {
	case !ok:
		return "", append(problems, fmt.Sprintf("field %q must be a string, got %s", name, jsonType(value)))
	case s == "":
		return "", append(problems, fmt.Sprintf("field %q must not be empty", name))
	case !pattern.MatchString(s):
		return "", append(problems, fmt.Sprintf("field %q must be %s (got %d characters)", name, rule, len(s)))
	}
	return s, problems
}

func currencyField(fields map[string]any, problems []string) (string, []string) {
	value, present := fields["currency"]
	if !present || value == nil {
		return "", append(problems, `missing field "currency"`)
	}
	code, ok := value.(string)
	if !ok {
		return "", append(problems, fmt.Sprintf(`field "currency" must be an ISO 4217 code string, got %s`, jsonType(value)))
	}
	if _, known := money.MinorUnitDigits(code); !known {
		if len(code) > 3 {
			code = code[:3] + "..."
		}
		return "", append(problems, fmt.Sprintf(`field "currency" must be an upper-case ISO 4217 code of a currency in use, such as USD or EUR; %q is not`, code))
	}
	return code, problems
}

func amountField(fields map[string]any, currency string, problems []string) (int64, []string) {
	value, present := fields["amount"]
	if !present || value == nil {
		return 0, append(problems, `missing field "amount"`)
	}
	number, ok := value.(json.Number)
	if !ok {
		return 0, append(problems, fmt.Sprintf(`field "amount" must be an integer number of minor units (1250 for 12.50), got %s`, jsonType(value)))
	}
	amount, err := strconv.ParseInt(number.String(), 10, 64)
	if err != nil {
		if strings.ContainsAny(number.String(), ".eE") {
			return 0, append(problems, `field "amount" must be an integer number of minor units (1250 for 12.50), not a fraction or exponent`)
		}
		return 0, append(problems, `field "amount" is out of range`)
	}
	if amount <= 0 {
		return 0, append(problems, fmt.Sprintf(`field "amount" must be positive, got %d`, amount))
	}
	if limit, ok := money.MaxAmount(currency); ok && amount > limit {
		return 0, append(problems, fmt.Sprintf(`field "amount" must be at most %d minor units of %s, got %d`, limit, currency, amount))
	}
	return amount, problems
}

// cardDataProblems finds card data anywhere in the input: a field named like a card
// field, or a string that is a plausible card number (13-19 digits passing Luhn).
func cardDataProblems(path string, value any) []string {
	var problems []string
	switch v := value.(type) {
	case map[string]any:
		for name, child := range v {
			childPath := name
			if path != "" {
				childPath = path + "." + name
			}
			if cardFields[normalizeFieldName(name)] {
				problems = append(problems, fmt.Sprintf("card data is not accepted (field %q): send the paymentToken your payment provider issued instead", childPath))
				continue
			}
			problems = append(problems, cardDataProblems(childPath, child)...)
		}
	case []any:
		for i, child := range v {
			problems = append(problems, cardDataProblems(fmt.Sprintf("%s[%d]", path, i), child)...)
		}
	case string:
		if looksLikeCardNumber(v) {
			problems = append(problems, fmt.Sprintf("card data is not accepted (field %q looks like a card number): send the paymentToken your payment provider issued instead", path))
		}
	case json.Number:
		if looksLikeCardNumber(v.String()) {
			problems = append(problems, fmt.Sprintf("card data is not accepted (field %q looks like a card number): send the paymentToken your payment provider issued instead", path))
		}
	}
	return problems
}

// looksLikeCardNumber reports whether s, ignoring spaces and dashes, is 13 to 19 digits
// with a valid Luhn check digit, as every payment card number is.
func looksLikeCardNumber(s string) bool {
	digits := make([]int, 0, 19)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, int(r-'0'))
		case r == ' ' || r == '-':
		default:
			return false
		}
		if len(digits) > 19 {
			return false
		}
	}
	if len(digits) < 13 {
		return false
	}
	sum := 0
	for i := range digits {
		d := digits[len(digits)-1-i]
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func normalizeFieldName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func jsonType(value any) string {
	switch value.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", value)
}
