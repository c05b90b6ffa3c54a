package saga

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// MaxInputBytes bounds the execution input we look at. A fare is five short fields;
// anything near this size is not a fare.
const MaxInputBytes = 4096

// MaxCheckedBytes bounds what RefuseCardData reads: Step Functions accepts no larger
// execution input (256 KiB), so nothing larger can be started anyway.
const MaxCheckedBytes = 256 * 1024

var (
	// fareIDPattern is what Step Functions accepts as an execution name (the fareId is
	// the execution name), narrowed to characters that are safe in every key and log.
	fareIDPattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	customerIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.:@-]{1,128}$`)
	tokenPattern      = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

var requiredFields = []string{"fareId", "customerId", "amount", "currency", "paymentToken"}

func isFareField(name string) bool { return slices.Contains(requiredFields, name) }

// ParseFare validates an execution input and returns the fare it describes. Every
// problem is reported at once. Problems name the fare's own fields, and any other place
// by position ("an unknown field (member 6 of the input)"); they never show a value or a
// name the client chose, since either may be a card number.
func ParseFare(raw json.RawMessage) (Fare, error) {
	if len(raw) > MaxInputBytes {
		return Fare{}, invalid(fmt.Sprintf("input is %d bytes; a fare is at most %d", len(raw), MaxInputBytes))
	}
	root, problems, parsed := inspect(raw)
	if !parsed {
		return Fare{}, refused(problems)
	}
	if root.kind != jsonObject {
		return Fare{}, refused(append(problems, fmt.Sprintf("input must be a JSON object, got %s", jsonType(root))))
	}

	fields := map[string]jsonValue{}
	for i, m := range root.members {
		if _, seen := fields[m.name]; !seen {
			fields[m.name] = m.value // a duplicate is refused above; the first stands for it here
		}
		if _, card := cardFieldName(m.name); !isFareField(m.name) && !card {
			problems = append(problems, fmt.Sprintf("an unknown field (member %d of the input) is not accepted: a fare has only the fields %s",
				i+1, strings.Join(requiredFields, ", ")))
		}
	}

	var fare Fare
	fare.FareID, problems = stringField(fields, "fareId", fareIDPattern, "1-80 letters, digits, '-' or '_'", problems)
	fare.CustomerID, problems = stringField(fields, "customerId", customerIDPattern, "1-128 letters, digits or . _ : @ -", problems)
	fare.Currency, problems = currencyField(fields, problems)
	fare.Amount, problems = amountField(fields, fare.Currency, problems)
	fare.PaymentToken, problems = stringField(fields, "paymentToken", tokenPattern, "1-256 letters, digits, '-' or '_'", problems)

	if len(problems) > 0 {
		return Fare{}, refused(problems)
	}
	return fare, nil
}

// RefuseCardData checks an execution input for card data only, in every form ParseFare
// refuses (card fields, card numbers in any value, name or number, at any depth), and
// for what keeps it from being checked: text that is not JSON, duplicate names, invalid
// UTF-8. It returns nil or an *steperr.InvalidFareInput listing those problems, in
// ParseFare's words. It is for the paths that must keep card data out of Step Functions
// while letting other bad input through for the saga to refuse: the front door and
// `faresaga run --input`.
func RefuseCardData(raw []byte) error {
	if len(raw) > MaxCheckedBytes {
		return invalid(fmt.Sprintf("input is %d bytes; at most %d are checked for card data, and Step Functions accepts no more", len(raw), MaxCheckedBytes))
	}
	if _, problems, _ := inspect(raw); len(problems) > 0 {
		return refused(problems)
	}
	return nil
}

// ValidFareID reports whether id is a fareId we accept, which is also a valid execution
// name: the fareId names the fare's execution.
func ValidFareID(id string) bool { return fareIDPattern.MatchString(id) }

func invalid(problem string) error { return &steperr.InvalidFareInput{Problems: []string{problem}} }

// maxListedProblems bounds the problems an error lists: a 4 KB input can hold hundreds
// (one per unknown name), and Step Functions keeps at most 32 KB of an error's cause.
const maxListedProblems = 20

// refused lists the problems, card data first (the reason a client most needs to see),
// then in order, each once, at most maxListedProblems of them.
func refused(problems []string) error {
	slices.SortFunc(problems, func(a, b string) int {
		if isCardProblem(a) != isCardProblem(b) {
			if isCardProblem(a) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	problems = slices.Compact(problems)
	if len(problems) > maxListedProblems {
		more := len(problems) - maxListedProblems
		problems = append(problems[:maxListedProblems:maxListedProblems], fmt.Sprintf("%d more problems not listed", more))
	}
	return &steperr.InvalidFareInput{Problems: problems}
}

func stringField(fields map[string]jsonValue, name string, pattern *regexp.Regexp, rule string, problems []string) (string, []string) {
	value, present := fields[name]
	switch {
	case !present || value.kind == jsonNull:
		return "", append(problems, fmt.Sprintf("missing field %q", name))
	case value.kind != jsonString:
		return "", append(problems, fmt.Sprintf("field %q must be a string, got %s", name, jsonType(value)))
	case value.text == "":
		return "", append(problems, fmt.Sprintf("field %q must not be empty", name))
	case !pattern.MatchString(value.text):
		return "", append(problems, fmt.Sprintf("field %q must be %s (got %d characters)", name, rule, len(value.text)))
	}
	return value.text, problems
}

func currencyField(fields map[string]jsonValue, problems []string) (string, []string) {
	value, present := fields["currency"]
	switch {
	case !present || value.kind == jsonNull:
		return "", append(problems, `missing field "currency"`)
	case value.kind != jsonString:
		return "", append(problems, fmt.Sprintf(`field "currency" must be an ISO 4217 code string, got %s`, jsonType(value)))
	}
	if _, known := money.MinorUnitDigits(value.text); !known {
		return "", append(problems, `field "currency" must be an upper-case ISO 4217 code of a currency in use, such as USD or EUR`)
	}
	return value.text, problems
}

// amountField names the limit it enforces, and the currency once it is a known code
// (ours, not the client's text), but never the amount sent.
func amountField(fields map[string]jsonValue, currency string, problems []string) (int64, []string) {
	value, present := fields["amount"]
	switch {
	case !present || value.kind == jsonNull:
		return 0, append(problems, `missing field "amount"`)
	case value.kind != jsonNumber:
		return 0, append(problems, fmt.Sprintf(`field "amount" must be an integer number of minor units (1250 for 12.50), got %s`, jsonType(value)))
	}
	amount, err := strconv.ParseInt(value.text, 10, 64)
	if err != nil {
		if strings.ContainsAny(value.text, ".eE") {
			return 0, append(problems, `field "amount" must be an integer number of minor units (1250 for 12.50), not a fraction or exponent`)
		}
		return 0, append(problems, `field "amount" is out of range`)
	}
	if amount <= 0 {
		return 0, append(problems, `field "amount" must be positive`)
	}
	if limit, ok := money.MaxAmount(currency); ok && amount > limit {
		return 0, append(problems, fmt.Sprintf(`field "amount" must be at most %d minor units of %s`, limit, currency))
	}
	return amount, problems
}

func jsonType(value jsonValue) string {
	switch value.kind {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	}
	return "an object"
}
