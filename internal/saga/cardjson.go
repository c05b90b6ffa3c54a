package saga

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// inspect reads raw and finds, at any depth, card data (card fields, card numbers in
// names, values, numbers and arrays), duplicate names and text it cannot read
// unambiguously. Problems name places, never what the input holds there. parsed is
// false when raw is not JSON we read.
func inspect(raw []byte) (root jsonValue, problems []string, parsed bool) {
	root, err := parseJSON(raw)
	if err != nil {
		problems = []string{unreadableProblem(err)}
		if ContainsCardNumber(string(raw)) {
			problems = append(problems, cardProblem("the input looks like it holds a card number"))
		}
		return jsonValue{}, problems, false
	}
	var w cardWalk
	w.value(root, &location{}, false)
	return root, w.problems, true
}

func unreadableProblem(err error) string {
	switch err {
	case errJSONNotUTF8:
		return "input must be UTF-8 JSON: it holds bytes that are not UTF-8"
	case errJSONSurrogate:
		return `input must be valid JSON text: a string holds a \u escape of half a UTF-16 surrogate pair`
	case errJSONTooDeep:
		return fmt.Sprintf("input is nested more than %d levels deep", maxJSONDepth)
	}
	return "input must be a JSON object with fields " + strings.Join(requiredFields, ", ")
}

const cardProblemPrefix = "card data is not accepted ("

func isCardProblem(problem string) bool { return strings.HasPrefix(problem, cardProblemPrefix) }

func cardProblem(what string) string {
	return cardProblemPrefix + what + "): send the paymentToken your payment provider issued instead"
}

// location names a place in the input by position, and by name only for the fare's own
// fields: any other name is the client's text and could be a card number.
type location struct {
	parent *location // nil for the input itself
	member bool      // a member of an object, else an element of an array
	index  int       // from 1
	name   string    // for members of the input: the name, if it is a fare field
}

func (l *location) child(member bool, index int, name string) *location {
	c := &location{parent: l, member: member, index: index}
	if member && l.parent == nil && isFareField(name) {
		c.name = name
	}
	return c
}

func (l *location) String() string {
	if l.parent == nil {
		return "the input"
	}
	var steps []string // innermost first
	for at := l; at.parent != nil; at = at.parent {
		switch {
		case at.name != "":
			steps = append(steps, `field "`+at.name+`"`)
		case at.member && at.parent.parent == nil:
			steps = append(steps, fmt.Sprintf("an unknown field (member %d of the input)", at.index))
		case at.member:
			steps = append(steps, fmt.Sprintf("member %d", at.index))
		default:
			steps = append(steps, fmt.Sprintf("element %d", at.index))
		}
	}
	if steps[len(steps)-1][0] == 'e' { // an element of the input itself
		steps = append(steps, "the input")
	}
	const shown = 3 // at each end: a place a thousand levels deep is named in a line
	if len(steps) > 2*shown+1 {
		elided := fmt.Sprintf("%d more levels", len(steps)-2*shown)
		steps = append(append(steps[:shown:shown], elided), steps[len(steps)-shown:]...)
	}
	return strings.Join(steps, " of ")
}

type cardWalk struct {
	problems []string
	cards    int // how many of the problems are card data
}

func (w *cardWalk) add(problem string) {
	w.problems = append(w.problems, problem)
	if isCardProblem(problem) {
		w.cards++
	}
}

// value checks v, found at at; inArray is true for the elements of an array, whose text
// the outermost array already reads together.
func (w *cardWalk) value(v jsonValue, at *location, inArray bool) {
	switch v.kind {
	case jsonObject:
		w.duplicates(v, at)
		before := w.cards
		for i, m := range v.members {
			child := at.child(true, i+1, m.name)
			if canonical, ok := cardFieldName(m.name); ok {
				w.add(cardFieldProblem(canonical, at, i+1))
				continue // refused whatever it holds
			}
			if ContainsCardNumber(m.name) {
				w.add(cardProblem("the name of " + child.String() + " looks like a card number"))
			}
			w.value(m.value, child, false)
		}
		// A number split between a name and its value ({"4111 1111":"1111 1111"}), or
		// across digit-only names, is in no single one of them. Names that are words
		// (a fare's are) hold no digits and keep the values apart: nothing to join then.
		if w.cards == before && slices.ContainsFunc(v.members, nameMayJoin) && ContainsCardNumber(objectText(v)) {
			w.add(cardProblem("the names and values of " + at.String() + ", read together, look like a card number"))
		}
	case jsonArray:
		before := w.cards
		for i, e := range v.elements {
			w.value(e, at.child(false, i+1, ""), true)
		}
		// A number split across elements (["4111","1111","1111","1111"], or nested
		// arrays of them) is read as one text, its elements separated.
		if !inArray && w.cards == before && ContainsCardNumber(arrayText(v)) {
			w.add(cardProblem("the elements of " + at.String() + ", read together, look like a card number"))
		}
	case jsonString:
		if ContainsCardNumber(v.text) {
			w.add(cardProblem(at.String() + " looks like a card number"))
		}
	case jsonNumber:
		if numberHoldsCardNumber(v.text) {
			w.add(cardProblem(at.String() + " looks like a card number"))
		}
	}
}

func cardFieldProblem(canonical string, parent *location, index int) string {
	if parent.parent == nil {
		return cardProblem(`field "` + canonical + `"`)
	}
	return cardProblem(fmt.Sprintf(`field "%s" at member %d of %s`, canonical, index, parent))
}

// duplicates refuses two members with one name: readers disagree on which one counts
// (encoding/json keeps the last, others the first or both), so what we check would not be
// what they read.
func (w *cardWalk) duplicates(v jsonValue, at *location) {
	if len(v.members) < 2 {
		return
	}
	first := make(map[string]int, len(v.members))
	for i, m := range v.members {
		earlier, seen := first[m.name]
		if !seen {
			first[m.name] = i + 1
			continue
		}
		if at.parent == nil && isFareField(m.name) {
			w.add(fmt.Sprintf(`duplicate field %q (members %d and %d of the input): each field may appear once`, m.name, earlier, i+1))
		} else {
			w.add(fmt.Sprintf("duplicate field names (members %d and %d of %s): each field may appear once", earlier, i+1, at))
		}
	}
}

// nameMayJoin reports whether a member's name could join digits to its neighbours': it
// is not a word of ASCII letters.
func nameMayJoin(m jsonMember) bool {
	if m.name == "" {
		return true
	}
	for i := range len(m.name) {
		if !isLetter(m.name[i]) {
			return true
		}
	}
	return false
}

// objectText is the text of an object's names and of its string and number values, in
// order, each separated from the next; a container value is a letter, as in arrayText.
func objectText(v jsonValue) string {
	var b strings.Builder
	for _, m := range v.members {
		b.WriteString(m.name)
		b.WriteByte(' ')
		switch m.value.kind {
		case jsonString, jsonNumber:
			b.WriteString(m.value.text)
		case jsonObject, jsonArray:
			b.WriteString("o")
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// arrayText is the text of an array's strings and numbers, nested arrays included, each
// separated from the next. An object element is a record of its own: the letter between
// its neighbours keeps their digits apart.
func arrayText(v jsonValue) string {
	var b strings.Builder
	var write func(v jsonValue)
	write = func(v jsonValue) {
		switch v.kind {
		case jsonString, jsonNumber:
			b.WriteString(v.text)
		case jsonObject:
			b.WriteString("o")
		case jsonArray:
			for _, e := range v.elements {
				write(e)
				b.WriteByte(' ')
			}
		}
		b.WriteByte(' ')
	}
	write(v)
	return b.String()
}

// numberHoldsCardNumber checks a number literal as written (4111111111111111,
// 4.111111111111111e15, 4111111111111111.0 all show the digits), as its exact decimal
// value (41111111111111110e-1 is 4111111111111111) and as the double every JavaScript
// and JSONata reader turns it into (4111111111111110.9999 becomes 4111111111111111).
func numberHoldsCardNumber(literal string) bool {
	if len(literal) < minCardDigits && !strings.ContainsAny(literal, "eE") {
		return false // too few digits, and no exponent to add any
	}
	readings := literal
	if exact, ok := exactDecimal(literal); ok {
		readings += " n " + exact
	}
	if f, err := strconv.ParseFloat(literal, 64); err == nil && !math.IsInf(f, 0) && math.Abs(f) < 1e21 {
		readings += " n " + strconv.FormatFloat(f, 'f', -1, 64)
	}
	return ContainsCardNumber(readings)
}

// exactDecimal writes a JSON number literal in plain decimal notation, without leading
// zeros, exponent or trailing fractional zeros; ok is false when that would be longer
// than any card number needs (an integer part or a fraction of more than 40 digits).
func exactDecimal(literal string) (string, bool) {
	mantissa, exponent, _ := strings.Cut(strings.TrimPrefix(literal, "-"), "e")
	if exponent == "" {
		mantissa, exponent, _ = strings.Cut(mantissa, "E")
	}
	whole, fraction, _ := strings.Cut(mantissa, ".")
	exp := 0
	if exponent != "" {
		e, err := strconv.Atoi(exponent)
		if err != nil || e > 1000 || e < -1000 {
			return "", false
		}
		exp = e
	}
	digits := strings.TrimLeft(whole+fraction, "0")
	point := len(digits) - len(fraction) + exp // digits before the decimal point
	digits = strings.TrimRight(digits, "0")
	const limit = 40
	if point > limit || len(digits)-point > limit {
		return "", false
	}
	switch {
	case digits == "":
		return "0", true
	case point <= 0:
		return "0." + strings.Repeat("0", -point) + digits, true
	case point >= len(digits):
		return digits + strings.Repeat("0", point-len(digits)), true
	}
	return digits[:point] + "." + digits[point:], true
}
