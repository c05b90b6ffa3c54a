package chaos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	contract "github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/statemachine"
)

// pCardData is the chance that a saga's input carries card data: a client that sends a
// card number where a token or an id belongs, in one of the forms below.
const pCardData = 0.02

// cardInput is an input that carries a card number.
type cardInput struct {
	form   string // how the number is hidden
	digits string // the card number's digits
	input  string
}

// cardForms hide a card number n (its digits) in a fare input for fareID.
var cardForms = []struct {
	name string
	make func(fareID, n string) string
}{
	{"inside the customerId", func(f, n string) string { return fareInput(f, "rider."+n, "tok_1", "") }},
	{"as the payment token", func(f, n string) string { return fareInput(f, "cust-1", n, "") }},
	{"inside the payment token", func(f, n string) string { return fareInput(f, "cust-1", "tok_"+n, "") }},
	{"grouped with spaces", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, " ")+`"`) }},
	{"grouped with dashes", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, "-")+`"`) }},
	{"grouped with dots", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, ".")+`"`) }},
	{"grouped with underscores", func(f, n string) string { return fareInput(f, "cust.1_"+grouped(n, "_"), "tok_1", "") }},
	{"grouped with no-break spaces", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, "\u00a0")+`"`) }},
	{"with zero-width spaces", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, "\u200b")+`"`) }},
	{"in fullwidth digits", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+fullwidth(n)+`"`) }},
	{"as a key", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"`+n+`":1`) }},
	{"nested in arrays", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"meta":{"refs":[["`+n+`"]]}`) }},
	{"split across an array", func(f, n string) string {
		return fareInput(f, "cust-1", "tok_1", `,"parts":["`+strings.Join(chunks(n, 4), `","`)+`"]`)
	}},
	{"as a JSON number", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"ref":`+n) }},
	{"in a card field", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"cardNumber":"`+n+`"`) }},
	{duplicateNameForm, func(f, n string) string {
		return `{"fareId":"` + f + `","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"` + n + `","paymentToken":"tok_1"}`
	}},
	{"percent-encoded", func(f, n string) string { return fareInput(f, "cust-1", "tok_1", `,"note":"`+grouped(n, "%20")+`"`) }},
}

// duplicateNameForm hides the number where only the door can see it.
const duplicateNameForm = "in the first of two equal names"

// refusedCardStates are all an execution with card data may enter: RegisterFare's
// refusal, or, when that invocation never ran, a CancelFare that finds no fare and the
// Choice that then announces nothing.
var refusedCardStates = []string{statemachine.RegisterFare, statemachine.CancelFare,
	statemachine.FareOwnedByThisExecution, statemachine.FareProcessingFailed}

// planCardData draws an input with a card number for fareID, or nil.
func planCardData(rng *rand.Rand, fareID string) *cardInput {
	if rng.Float64() >= pCardData {
		return nil
	}
	n := cardNumber(rng, 13+rng.IntN(7))
	form := pick(rng, cardForms)
	return &cardInput{form: form.name, digits: n, input: form.make(fareID, n)}
}

// cardNumber is a random number of length digits whose last digit is its Luhn check.
func cardNumber(rng *rand.Rand, length int) string {
	digits := make([]int, length)
	digits[0] = 2 + rng.IntN(5) // an issuer's first digit, 2-6
	for i := 1; i < length-1; i++ {
		digits[i] = rng.IntN(10)
	}
	sum := 0
	for i := length - 2; i >= 0; i-- {
		d := digits[i]
		if (length-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	digits[length-1] = (10 - sum%10) % 10
	var b strings.Builder
	for _, d := range digits {
		b.WriteByte(byte('0' + d))
	}
	return b.String()
}

func fareInput(fareID, customerID, token, extra string) string {
	return fmt.Sprintf(`{"fareId":%q,"customerId":%q,"amount":1250,"currency":"EUR","paymentToken":%q%s}`, fareID, customerID, token, extra)
}

func chunks(s string, size int) []string {
	var out []string
	for len(s) > size {
		out, s = append(out, s[:size]), s[size:]
	}
	return append(out, s)
}

func grouped(n, separator string) string { return strings.Join(chunks(n, 4), separator) }

func fullwidth(n string) string {
	var b strings.Builder
	for _, r := range n {
		b.WriteRune('０' + (r - '0'))
	}
	return b.String()
}

// checkCardData checks a saga whose input carried card data: the door's check refuses
// it, and an execution started past the door (a console start) writes nothing, publishes
// nothing, and shows the number in none of its error, its cause, a table or the handlers'
// logs. RegisterFare refuses it, unless its only card number was in the first of two
// equal names: Step Functions keeps the last value of each name, so only the door can
// see that one, and the fare the machine sees is clean.
func checkCardData(f saga, result engine.Result, x *engine.Execution, tableText, logs string, messages []outcomeMessage, v *verdict) {
	c := f.cardData
	if contract.RefuseCardData([]byte(c.input)) == nil {
		v.violate("%s: the door's check let a card number %s through", f.fareID, c.form)
	}
	if c.form == duplicateNameForm {
		return
	}
	if result.Status != engine.Failed {
		v.violate("%s: a card number %s: the execution ended %s, not refused", f.fareID, c.form, result.Status)
	}
	if strings.Contains(logs, c.digits[:12]) {
		v.violate("%s: a card number %s: its digits are in the handlers' logs", f.fareID, c.form)
	}
	if x != nil {
		for _, e := range x.History.Events() {
			if e.StateEntered != nil && !slices.Contains(refusedCardStates, e.StateEntered.Name) {
				v.violate("%s: a card number %s: the execution entered %s", f.fareID, c.form, e.StateEntered.Name)
			}
		}
	}
	if strings.Contains(result.Error+result.Cause, c.digits[:12]) {
		v.violate("%s: a card number %s: its digits are in the execution's error or cause", f.fareID, c.form)
	}
	if strings.Contains(tableText, c.digits[:12]) {
		v.violate("%s: a card number %s: its digits are in a table", f.fareID, c.form)
	}
	if len(messages) > 0 {
		v.violate("%s: a card number %s: %d messages were published", f.fareID, c.form, len(messages))
	}
}
