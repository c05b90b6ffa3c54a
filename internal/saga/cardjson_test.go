package saga

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/steperr"
)

// fareWith is a valid fare with extra members appended as raw JSON ("" for none), and
// with the named string fields replaced.
func fareWith(extra string, fields map[string]string) string {
	values := map[string]string{"fareId": "fare-1", "customerId": "cust-1", "paymentToken": "tok_visa"}
	for name, value := range fields {
		values[name] = value
	}
	fare := fmt.Sprintf(`{"fareId":%s,"customerId":%s,"amount":1250,"currency":"EUR","paymentToken":%s`,
		quoteJSON(values["fareId"]), quoteJSON(values["customerId"]), quoteJSON(values["paymentToken"]))
	if extra != "" {
		fare += "," + extra
	}
	return fare + "}"
}

func quoteJSON(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var digitRun = regexp.MustCompile(`[0-9]{4,}`)

// assertNothingOf checks that a message shows no card number and no run of four or more
// digits taken from card, in any form: the digits are what must stay secret.
func assertNothingOf(t *testing.T, message, card string) {
	t.Helper()
	assert.False(t, ContainsCardNumber(message), "the message holds a card number: %s", message)
	for _, run := range digitRun.FindAllString(message, -1) {
		assert.NotContains(t, card, run, "the message shows digits of the card: %s", message)
	}
}

// assertRefusedAsCardData checks that both entry points refuse input as card data, with
// an InvalidFareInput that shows nothing of card and none of the hidden texts.
func assertRefusedAsCardData(t *testing.T, input, card string, hidden ...string) {
	t.Helper()
	for name, check := range map[string]func() error{
		"ParseFare":      func() error { _, err := ParseFare([]byte(input)); return err },
		"RefuseCardData": func() error { return RefuseCardData([]byte(input)) },
	} {
		err := check()
		require.Error(t, err, "%s accepted %s", name, input)
		var refused *steperr.InvalidFareInput
		require.True(t, errors.As(err, &refused), name)
		assert.Contains(t, err.Error(), "card data is not accepted", "%s: %s", name, input)
		assertNothingOf(t, err.Error(), card)
		for _, h := range hidden {
			assert.NotContains(t, err.Error(), h, "%s echoes the input", name)
		}
	}
}

func TestCardDataIsRefusedInEveryPlace(t *testing.T) {
	for length := minCardDigits; length <= maxCardDigits; length++ {
		card := cardsByLength[length]
		grouped := group(card, 4, " ")
		quads := strings.Split(group(card, 4, " "), " ")
		quoted := make([]string, len(quads))
		for i, q := range quads {
			quoted[i] = quoteJSON(q)
		}
		places := map[string]string{
			"customerId as a dotted id":    fareWith("", map[string]string{"customerId": "rider." + card}),
			"customerId with separators":   fareWith("", map[string]string{"customerId": "rider:" + group(card, 4, ".")}),
			"fareId":                       fareWith("", map[string]string{"fareId": "fare-" + group(card, 4, "-")}),
			"paymentToken as a token":      fareWith("", map[string]string{"paymentToken": "tok_" + card}),
			"paymentToken is the number":   fareWith("", map[string]string{"paymentToken": card}),
			"an unknown field":             fareWith(`"note":`+quoteJSON(grouped), nil),
			"a key":                        fareWith(quoteJSON(card)+`:true`, nil),
			"a grouped key":                fareWith(quoteJSON("x"+grouped)+`:1`, nil),
			"a nested key":                 fareWith(`"meta":{"a":{`+quoteJSON(card)+`:null}}`, nil),
			"a key in an array":            fareWith(`"meta":[1,{`+quoteJSON(card)+`:1}]`, nil),
			"nested arrays":                fareWith(`"meta":[[["`+card+`"]]]`, nil),
			"an object in arrays":          fareWith(`"meta":[[{"x":"`+grouped+`"}]]`, nil),
			"split across strings":         fareWith(`"meta":[`+strings.Join(quoted, ",")+`]`, nil),
			"split across numbers":         fareWith(`"meta":[`+strings.Join(quads, ",")+`]`, nil),
			"split across nested arrays":   fareWith(`"meta":[[`+strings.Join(quoted[:2], ",")+`],[`+strings.Join(quoted[2:], ",")+`]]`, nil),
			"split, with nulls between":    fareWith(`"meta":[`+strings.Join(quoted, ",null,")+`]`, nil),
			"split, strings and numbers":   fareWith(`"meta":[`+quads[0]+`,`+strings.Join(quoted[1:], ",")+`]`, nil),
			"split, one digit each":        fareWith(`"meta":[`+group(card, 1, ",")+`]`, nil),
			"in a key's array":             fareWith(`"meta":{"list":[`+strings.Join(quoted, ",")+`]}`, nil),
			"a number":                     fareWith(`"n":`+card, nil),
			"the amount":                   strings.Replace(fareWith("", nil), "1250", card, 1),
			"json escapes":                 fareWith(`"note":"`+escapes(card, `\u%04x`)+`"`, nil),
			"the first of a duplicate":     strings.Replace(fareWith(`"customerId":"cust-1"`, nil), `"cust-1"`, quoteJSON("rider."+card), 1),
			"inside a card-named field":    fareWith(`"cardNumber":"`+card+`"`, nil),
			"nested under a known field":   strings.Replace(fareWith("", nil), `"tok_visa"`, `{"a":["`+card+`"]}`, 1),
			"the whole input, a string":    quoteJSON(card),
			"the whole input, an array":    `[` + strings.Join(quoted, ",") + `]`,
			"the whole input, a number":    card,
			"input that is not JSON":       `{"customerId":"` + card,
			"input with a trailing value":  fareWith("", nil) + ` "` + card + `"`,
			"split between name and value": fareWith(quoteJSON(card[:8])+`:`+quoteJSON(card[8:]), nil),
			"split, next to a duplicate":   fareWith(`"m":[`+strings.Join(quoted, ",")+`,{"a":1,"a":2}]`, nil),
			"split across digit names":     fareWith(`"m":{`+quoteJSON(quads[0])+`:`+quoteJSON(quads[1])+`,`+quoteJSON(quads[2])+`:`+quoteJSON(strings.Join(quads[3:], " "))+`}`, nil),
		}
		for name, input := range places {
			t.Run(fmt.Sprintf("%d digits %s", length, name), func(t *testing.T) {
				assertRefusedAsCardData(t, input, card)
			})
		}
	}
}

func TestCardNumbersAreRefusedInEveryFormAsValuesAndKeys(t *testing.T) {
	for length := minCardDigits; length <= maxCardDigits; length++ {
		card := cardsByLength[length]
		for name, form := range cardForms(card) {
			t.Run(fmt.Sprintf("%d digits %s", length, name), func(t *testing.T) {
				assertRefusedAsCardData(t, fareWith(`"note":`+quoteJSON(form), nil), card, form)
				assertRefusedAsCardData(t, fareWith(quoteJSON(form)+`:1`, nil), card, form)
				assertRefusedAsCardData(t, fareWith("", map[string]string{"customerId": form}), card, form)
			})
		}
	}
}

func TestCardNumbersAreRefusedAsJSONNumbers(t *testing.T) {
	const card = "4111111111111111"
	for _, literal := range []string{
		"4111111111111111", "-4111111111111111", "4111111111111111.0", "4111111111111111.00000",
		"4.111111111111111e15", "4.111111111111111E+15", "0.4111111111111111e16", "41111111111111.11e2",
		"41111111111111110e-1", "411111111111111100000000000000000000e-20", "4111111111111111e0",
		"4111111111111110.9999",                    // every double reader rounds it to the card number
		"4111111111111111.4", "4111111111111111e1", // the literal shows the digits, whatever the value
	} {
		t.Run(literal, func(t *testing.T) {
			assert.True(t, numberHoldsCardNumber(literal))
			assertRefusedAsCardData(t, fareWith(`"n":`+literal, nil), card, literal)
			assertRefusedAsCardData(t, fareWith(`"n":[[`+literal+`]]`, nil), card, literal)
		})
	}
	for _, literal := range []string{"1250", "4111111111111112", "1e308", "-0", "0.5", "12345678901234567890", "1e999999999", "4111111111111112.0", "4.111111111111112e15"} {
		assert.False(t, numberHoldsCardNumber(literal), literal)
	}
}

func TestExactDecimal(t *testing.T) {
	for literal, want := range map[string]string{
		"0": "0", "-0.0": "0", "1250": "1250", "12.50": "12.5", "1e3": "1000", "1.5e-3": "0.0015",
		"41111111111111110e-1": "4111111111111111", "0.4111111111111111e16": "4111111111111111",
		"00012": "12", "120e-1": "12",
	} {
		got, ok := exactDecimal(literal)
		assert.True(t, ok, literal)
		assert.Equal(t, want, got, literal)
	}
	for _, literal := range []string{"1e41", "1e-41", "1e5000"} {
		_, ok := exactDecimal(literal)
		assert.False(t, ok, literal)
	}
}

func TestRealisticIDsPassInEveryPlace(t *testing.T) {
	falsePositives := 0
	for _, id := range realisticIDs {
		inputs := map[string]string{
			"an unknown field": fareWith(`"note":`+quoteJSON(id), nil),
			"a key":            fareWith(quoteJSON(id)+`:1`, nil),
			"an array":         fareWith(`"meta":[[`+quoteJSON(id)+`],"EUR"]`, nil),
		}
		if customerIDPattern.MatchString(id) {
			inputs["customerId"] = fareWith("", map[string]string{"customerId": id})
		}
		if fareIDPattern.MatchString(id) {
			inputs["fareId"] = fareWith("", map[string]string{"fareId": id})
		}
		for place, input := range inputs {
			if err := RefuseCardData([]byte(input)); err != nil {
				falsePositives++
				t.Errorf("%q as %s: %v", id, place, err)
			}
		}
	}
	t.Logf("false positives on %d realistic ids in every place: %d", len(realisticIDs), falsePositives)
}

func TestParseFareAcceptsRealisticIDsInItsFields(t *testing.T) {
	for _, id := range realisticIDs {
		if !customerIDPattern.MatchString(id) {
			continue
		}
		fare, err := ParseFare([]byte(fareWith("", map[string]string{"customerId": id})))
		require.NoError(t, err, id)
		assert.Equal(t, id, fare.CustomerID)
	}
}

// TestArraysAreReadTogether documents the cost of reading an array's elements as one
// text: an id next to a number can make a window that passes Luhn by chance.
func TestArraysAreReadTogether(t *testing.T) {
	assert.NoError(t, RefuseCardData([]byte(`{"meta":["+33142685300"]}`)))
	assert.Error(t, RefuseCardData([]byte(`{"meta":["+33142685300",1250]}`)), "33142685300 1250: 15 digits that pass Luhn")
	assert.NoError(t, RefuseCardData([]byte(`{"meta":[{"phone":"+33142685300"},1250]}`)), "an object keeps its digits apart")
}

func TestRefuseCardDataLetsOtherBadInputThrough(t *testing.T) {
	for name, input := range map[string]string{
		"a valid fare":       fareWith("", nil),
		"missing fields":     `{"fareId":"f"}`,
		"an unknown field":   fareWith(`"tip":5`, nil),
		"wrong types":        `{"fareId":1,"customerId":true,"amount":"x","currency":[],"paymentToken":{}}`,
		"a negative amount":  strings.Replace(fareWith("", nil), "1250", "-1250", 1),
		"a non-object input": `[1,2,3]`,
		"a long numeric id":  fareWith(`"ref":"123456789012345678901234567890"`, nil),
		"luhn failures":      fareWith(`"ref":"4111 1111 1111 1112"`, nil),
		"a short number":     fareWith(`"ref":"4111 1111 1111"`, nil),
	} {
		assert.NoError(t, RefuseCardData([]byte(input)), name)
	}
}

func TestRefuseCardDataRefusesWhatItCannotCheck(t *testing.T) {
	for name, tt := range map[string]struct{ input, want string }{
		"not JSON":          {`{"fareId":`, "must be a JSON object"},
		"invalid UTF-8":     {"{\"note\":\"\xff\"}", "not UTF-8"},
		"a lone surrogate":  {`{"note":"\udc00"}`, "surrogate"},
		"a duplicate":       {`{"a":{"b":1,"b":2}}`, "duplicate field names (members 1 and 2 of an unknown field (member 1 of the input))"},
		"too large":         {`"` + strings.Repeat("x", MaxCheckedBytes) + `"`, "at most 262144 are checked"},
		"too deeply nested": {strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1), "nested more than 1000 levels"},
	} {
		err := RefuseCardData([]byte(tt.input))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tt.want, name)
		assert.Equal(t, "InvalidFareInput", steperr.Name(err), name)
	}
}

func TestDuplicateNamesAreRefusedAtAnyDepth(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"a fare field", fareWith(`"fareId":"fare-1"`, nil), `duplicate field "fareId" (members 1 and 6 of the input)`},
		{"a fare field, escaped", fareWith(`"\u0066areId":"fare-1"`, nil), `duplicate field "fareId" (members 1 and 6 of the input)`},
		{"an unknown field", fareWith(`"secretName":1,"secretName":2`, nil), "duplicate field names (members 6 and 7 of the input)"},
		{"nested", fareWith(`"m":{"a":{"secretName":1,"x":0,"secretName":2}}`, nil), "duplicate field names (members 1 and 3 of member 1 of an unknown field (member 6 of the input))"},
		{"in an array", fareWith(`"m":[0,[{"secretName":1,"secretName":1}]]`, nil), "duplicate field names (members 1 and 2 of element 1 of element 2 of an unknown field (member 6 of the input))"},
		{"a card number hidden in the first", fareWith(`"m":{"secretName":"4111111111111111","secretName":"x"}`, nil), "card data is not accepted (member 1 of an unknown field (member 6 of the input) looks like a card number)"},
		{"three times", fareWith(`"m":{"secretName":1,"secretName":2,"secretName":3}`, nil), "members 1 and 3 of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, err := range []error{RefuseCardData([]byte(tt.input)), func() error { _, err := ParseFare([]byte(tt.input)); return err }()} {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				assert.NotContains(t, err.Error(), "secretName")
				assertNothingOf(t, err.Error(), "4111111111111111")
			}
		})
	}
	assert.NoError(t, RefuseCardData([]byte(`{"a":{"b":1},"b":{"a":1},"c":[{"a":1},{"a":2}]}`)), "the same name in different objects is no duplicate")
}

func TestStrictJSON(t *testing.T) {
	accepted := map[string]string{
		"a surrogate pair":    `{"a":"\ud83d\ude00"}`,
		"every escape":        `{"a":"\"\\\/\b\f\n\r\t\u00e9"}`,
		"utf-8 text":          `{"a":"é ∑ 😀"}`,
		"whitespace":          " \t\r\n{ \"a\" : [ 1 , 2 ] } \n",
		"numbers":             `[0,-0,1.5,-1.5e10,1E+2,2e-3]`,
		"literals":            `[true,false,null]`,
		"deep but not too":    strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth),
		"empty containers":    `{"a":{},"b":[]}`,
		"a nul escape":        `{"a":"\u0000"}`,
		"the same name twice": `[{"a":1},{"a":1}]`,
	}
	for name, input := range accepted {
		_, err := parseJSON([]byte(input))
		assert.NoError(t, err, name)
	}
	refused := map[string]struct {
		input string
		err   error
	}{
		"invalid utf-8 in a string":  {"{\"a\":\"\xc3\x28\"}", errJSONNotUTF8},
		"invalid utf-8 in a name":    {"{\"\xff\":1}", errJSONNotUTF8},
		"an overlong encoding":       {"{\"a\":\"\xc0\xb4\"}", errJSONNotUTF8},
		"an encoded surrogate":       {"{\"a\":\"\xed\xa0\x80\"}", errJSONNotUTF8},
		"a lone high surrogate":      {`{"a":"\ud83d"}`, errJSONSurrogate},
		"a lone low surrogate":       {`{"a":"\ude00"}`, errJSONSurrogate},
		"a high surrogate, then not": {`{"a":"\ud83d\u0041"}`, errJSONSurrogate},
		"too deep":                   {strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1), errJSONTooDeep},
		"a control character":        {"{\"a\":\"\x01\"}", errJSONSyntax},
		"a bad escape":               {`{"a":"\q"}`, errJSONSyntax},
		"a short unicode escape":     {`{"a":"\u12"}`, errJSONSyntax},
		"a leading zero":             {`[01]`, errJSONSyntax},
		"a bare fraction":            {`[.5]`, errJSONSyntax},
		"a dangling exponent":        {`[1e]`, errJSONSyntax},
		"a trailing comma":           {`[1,]`, errJSONSyntax},
		"a trailing comma in object": {`{"a":1,}`, errJSONSyntax},
		"single quotes":              {`{'a':1}`, errJSONSyntax},
		"an unquoted name":           {`{a:1}`, errJSONSyntax},
		"NaN":                        {`[NaN]`, errJSONSyntax},
		"a plus sign":                {`[+1]`, errJSONSyntax},
		"two values":                 {`{} {}`, errJSONSyntax},
		"nothing":                    {``, errJSONSyntax},
		"unterminated string":        {`"abc`, errJSONSyntax},
		"unterminated array":         {`[1`, errJSONSyntax},
		"truncated literal":          {`[tru]`, errJSONSyntax},
	}
	for name, tt := range refused {
		_, err := parseJSON([]byte(tt.input))
		assert.ErrorIs(t, err, tt.err, name)
	}
}

func TestParseJSONKeepsOrderAndDuplicates(t *testing.T) {
	v, err := parseJSON([]byte(`{"b":1,"a":"x\u0041","b":[true,null,{}]}`))
	require.NoError(t, err)
	require.Len(t, v.members, 3)
	assert.Equal(t, []string{"b", "a", "b"}, []string{v.members[0].name, v.members[1].name, v.members[2].name})
	assert.Equal(t, jsonValue{kind: jsonNumber, text: "1"}, v.members[0].value)
	assert.Equal(t, jsonValue{kind: jsonString, text: "xA"}, v.members[1].value)
	assert.Equal(t, jsonValue{kind: jsonArray, elements: []jsonValue{{kind: jsonBool, text: "true"}, {kind: jsonNull}, {kind: jsonObject}}}, v.members[2].value)
}

func TestCardFieldNames(t *testing.T) {
	cardFields := map[string]string{
		"cc": "cc", "CC": "cc", "ccNumber": "ccNumber", "cc_number": "ccNumber", "cardNumber": "cardNumber",
		"card_number": "cardNumber", "CARD-NUMBER": "cardNumber", "ｃａｒｄＮｕｍｂｅｒ": "cardNumber",
		"card\u200bnumber": "cardNumber", "billingCardNumber": "cardNumber", "pan": "pan", "PAN": "pan",
		"primaryAccountNumber": "primaryAccountNumber", "cvv": "cvv", "cvv2": "cvv", "CVC": "cvc",
		"cvc2": "cvc", "card_cvv": "cvv", "csc": "csc", "securityCode": "securityCode",
		"cardSecurityCode": "cardSecurityCode", "expiry": "expiry", "expiryDate": "expiryDate",
		"expDate": "expDate", "exp_date": "expDate", "expirationDate": "expirationDate", "expMonth": "expMonth",
		"exp_year": "expYear", "cardExpiry": "cardExp", "track1": "track1", "track2": "track2", "track١": "track1",
		"trackData": "trackData", "pin": "pin", "pinBlock": "pinBlock", "cardholder": "cardholder",
		"cardholderName": "cardholderName", "card_holder_name": "cardholderName", "nameOnCard": "nameOnCard",
		"creditCard": "creditCard", "exp": "exp", "card": "card",
	}
	for name, want := range cardFields {
		got, ok := cardFieldName(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, got, name)
	}
	for _, name := range append([]string{
		"account", "accountNumber", "accNumber", "accNo", "success", "access", "company", "japan", "span",
		"shipping", "spinner", "expected", "export", "discard", "cardinality", "sessionExpiry", "expires",
		"tokenExpiry", "cid", "customerIdentifier", "pincode", "currency", "description", "capacity",
		"panel", "cache", "occurredAt",
	}, requiredFields...) {
		_, ok := cardFieldName(name)
		assert.False(t, ok, name)
	}
}

func TestCardFieldsAreRefusedByCanonicalNameOnly(t *testing.T) {
	for _, tt := range []struct{ input, want, sent string }{
		{fareWith(`"Card_Number_4111111111111111":"x"`, nil), `card data is not accepted (field "cardNumber")`, "Card_Number"},
		{fareWith(`"meta":{"x":[{"CVV2":"123"}]}`, nil), `(field "cvv" at member 1 of element 1 of member 1 of an unknown field (member 6 of the input))`, "CVV2"},
		{fareWith(`"expiry_date":"12/29"`, nil), `(field "expiryDate")`, "expiry_date"},
	} {
		for _, err := range []error{RefuseCardData([]byte(tt.input)), func() error { _, err := ParseFare([]byte(tt.input)); return err }()} {
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), tt.sent)
			assert.NotContains(t, err.Error(), "12/29")
			assertNothingOf(t, err.Error(), "4111111111111111")
		}
	}
}

func TestLongListsOfProblemsAreCut(t *testing.T) {
	names := make([]string, 300)
	for i := range names {
		names[i] = fmt.Sprintf(`"n%d":1`, i)
	}
	_, err := ParseFare([]byte(fareWith(strings.Join(names, ",")+`,"x":"4111111111111111"`, nil)))
	require.Error(t, err)
	var refused *steperr.InvalidFareInput
	require.ErrorAs(t, err, &refused)
	require.Len(t, refused.Problems, maxListedProblems+1)
	assert.Equal(t, "card data is not accepted (an unknown field (member 306 of the input) looks like a card number): send the paymentToken your payment provider issued instead", refused.Problems[0], "card data comes first")
	assert.Equal(t, "282 more problems not listed", refused.Problems[maxListedProblems])
}

func TestDeepPlacesAreNamedInALine(t *testing.T) {
	deep := strings.Repeat("[", 999) + `"4111111111111111"` + strings.Repeat("]", 999)
	err := RefuseCardData([]byte(deep))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(element 1 of element 1 of element 1 of 994 more levels of element 1 of element 1 of the input looks like a card number)")

	err = RefuseCardData([]byte(`{"m":` + strings.Repeat(`{"k":`, 10) + `"4111111111111111"` + strings.Repeat("}", 11)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "(member 1 of member 1 of member 1 of 5 more levels of member 1 of member 1 of an unknown field (member 1 of the input) looks")
}

func TestUnknownFieldsAreNamedByPosition(t *testing.T) {
	_, err := ParseFare([]byte(fareWith(`"tip":5,"rider.5555555555554444":"x","Note":1`, nil)))
	require.Error(t, err)
	for _, want := range []string{"an unknown field (member 6 of the input)", "an unknown field (member 7 of the input)", "an unknown field (member 8 of the input)"} {
		assert.Contains(t, err.Error(), want)
	}
	for _, sent := range []string{"tip", "rider", "Note", "5555"} {
		assert.NotContains(t, err.Error(), sent)
	}
}
