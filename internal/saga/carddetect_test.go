package saga

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// luhnValid is the textbook Luhn check, written independently of the detector's
// streaming one so that each checks the other.
func luhnValid(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
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

// withCheckDigit appends the Luhn check digit to body.
func withCheckDigit(body string) string {
	for d := '0'; d <= '9'; d++ {
		if luhnValid(body + string(d)) {
			return body + string(d)
		}
	}
	panic("unreachable")
}

// withWrongCheckDigit appends a digit that fails the Luhn check.
func withWrongCheckDigit(body string) string {
	good := withCheckDigit(body)
	return body + string('0'+(good[len(good)-1]-'0'+1)%10)
}

// cardsByLength holds one card number of every length the rule covers: published test
// cards where there is one, numbers completed with their check digit otherwise.
var cardsByLength = map[int]string{
	13: "4222222222222",    // Visa's 13-digit test card
	14: "30569309025904",   // Diners Club test card
	15: "378282246310005",  // American Express test card
	16: "4111111111111111", // Visa test card
	17: withCheckDigit("6011000400000000"),
	18: withCheckDigit("62123456789000003"),
	19: "6205500000000000004", // UnionPay 19-digit test card
}

func TestTheTestCardsPassLuhn(t *testing.T) {
	for length, card := range cardsByLength {
		assert.Len(t, card, length)
		assert.True(t, luhnValid(card), card)
	}
	for _, card := range []string{"4242424242424242", "5555555555554444", "6011111111111117", "3530111333300000", "2223003122003222", "371449635398431"} {
		assert.True(t, luhnValid(card), card)
	}
}

// group writes digits in groups of size separated by sep.
func group(digits string, size int, sep string) string {
	var parts []string
	for len(digits) > size {
		parts = append(parts, digits[:size])
		digits = digits[size:]
	}
	return strings.Join(append(parts, digits), sep)
}

// mapDigits writes each ASCII digit of s as zero+value of another digit set.
func mapDigits(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

func percentEachByte(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// separators a hostile client could put between digit groups.
var separators = map[string]string{
	"space": " ", "dash": "-", "dot": ".", "underscore": "_", "slash": "/", "backslash": `\`,
	"colon": ":", "plus": "+", "comma": ",", "semicolon": ";", "pipe": "|", "star": "*",
	"hash": "#", "tilde": "~", "equals": "=", "quote": "'", "parenthesis": ")(", "tab": "\t",
	"newline": "\n", "carriage return": "\r\n", "spaced dash": " - ", "many spaces": "     ",
	"nbsp": "\u00a0", "figure space": "\u2007", "narrow nbsp": "\u202f", "ideographic space": "\u3000",
	"em space": "\u2003", "en dash": "\u2013", "em dash": "\u2014", "minus sign": "\u2212",
	"unicode hyphen": "\u2010", "non-breaking hyphen": "\u2011", "fullwidth hyphen": "\uff0d",
	"one dot leader": "\u2024", "middle dot": "\u00b7", "zero width space": "\u200b",
	"word joiner": "\u2060", "byte order mark": "\ufeff", "soft hyphen": "\u00ad",
	"zero width joiner": "\u200d", "left-to-right mark": "\u200e", "combining acute": "\u0301",
	"nul": "\x00", "control": "\x1f", "private use": "\ue000", "replacement char": "\ufffd",
}

// cardForms writes card in every form the detector must see through.
func cardForms(card string) map[string]string {
	forms := map[string]string{
		"plain":                       card,
		"inside a dotted id":          "rider." + card,
		"inside a token":              "tok_" + card,
		"between letters":             "x" + card + "y",
		"inside an email":             card + "@example.com",
		"inside a sentence":           "my card is " + group(card, 4, " ") + ", thanks",
		"negative":                    "-" + card,
		"followed by a group":         group(card, 4, " ") + " 1234",
		"preceded by a group":         "1234 " + group(card, 4, " "),
		"between groups":              "12 " + group(card, 4, "-") + " 34",
		"followed by a long id":       card + " 123456789012345678901234",
		"in groups of 1":              group(card, 1, " "),
		"in groups of 2":              group(card, 2, "."),
		"in groups of 3":              group(card, 3, "-"),
		"amex grouping":               card[:4] + " " + card[4:10] + " " + card[10:],
		"mixed separators":            card[:4] + "-" + card[4:8] + " " + card[8:12] + "." + card[12:],
		"bracketed groups":            "(" + group(card, 4, ")[") + "]",
		"fullwidth digits":            mapDigits(card, '０'),
		"fullwidth, spaced":           mapDigits(group(card, 4, "\u3000"), '０'),
		"arabic-indic digits":         mapDigits(card, '٠'),
		"extended arabic-indic":       mapDigits(card, '۰'),
		"devanagari digits":           mapDigits(card, '०'),
		"bengali digits":              mapDigits(card, '০'),
		"thai digits":                 mapDigits(card, '๐'),
		"mathematical bold digits":    mapDigits(card, '𝟎'),
		"mathematical monospace":      mapDigits(card, '𝟶'),
		"mixed digit sets":            mapDigits(card[:8], '٠') + mapDigits(card[8:], '０'),
		"percent-encoded spaces":      group(card, 4, "%20"),
		"percent-encoded digits":      percentEachByte(card),
		"percent-encoded twice":       strings.ReplaceAll(percentEachByte(card), "%", "%25"),
		"percent-encoded fullwidth":   url.QueryEscape(mapDigits(card, '０')),
		"percent as separator":        group(card, 4, "%"),
		"form-encoded":                url.QueryEscape(group(card, 4, " ")),
		"html decimal references":     htmlReferences(card, "&#%d;"),
		"html hex references":         htmlReferences(card, "&#x%x;"),
		"html references, no ';'":     htmlReferences(card, "&#%d"),
		"html nbsp":                   group(card, 4, "&nbsp;"),
		"html ndash":                  group(card, 4, "&ndash;"),
		"html double-escaped":         strings.ReplaceAll(htmlReferences(card, "&#%d;"), "&", "&amp;"),
		"unicode escapes":             escapes(card, `\u%04x`),
		"unicode escapes, twice":      escapes(card, `\\u%04x`),
		"hex escapes":                 escapes(card, `\x%02x`),
		"es6 escapes":                 escapes(card, `\u{%x}`),
		"surrogate-pair escapes":      utf16Escapes(mapDigits(card, '𝟎')),
		"base64":                      base64.StdEncoding.EncodeToString([]byte(card)),
		"base64 of a grouped number":  base64.StdEncoding.EncodeToString([]byte(group(card, 4, " "))),
		"base64url, no padding":       base64.RawURLEncoding.EncodeToString([]byte(`{"pan":"` + card + `"}`)),
		"base64, shifted by a prefix": "x" + base64.StdEncoding.EncodeToString([]byte(card)),
		"base64 in a jwt":             "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"`+card+`"}`)) + ".c2ln",
		"base64 twice":                base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte(card)))),
		"hex":                         hex.EncodeToString([]byte(card)),
		"hex, shifted by a prefix":    "0" + hex.EncodeToString([]byte(card)),
		"hex, upper case":             strings.ToUpper(hex.EncodeToString([]byte(card))),
		"circled digits":              mapCircled(card),
		"superscript digits":          mapSuperscript(card),
		"combining marks on digits":   strings.Join(strings.Split(card, ""), "\u0301"),
		"emoji keycaps":               strings.Join(strings.Split(card, ""), "\ufe0f\u20e3") + "\ufe0f\u20e3",
		"invisible tag characters":    "x" + strings.Map(func(r rune) rune { return 0xE0000 + r }, group(card, 4, " ")) + "y",
		"variation selectors":         strings.Join(strings.Split(card, ""), "\ufe0e"),
		"in a url":                    "https://pay.example/charge?pan=" + card + "&amp;exp=1229",
		"as a string in e-notation":   card[:1] + "." + card[1:] + "e" + fmt.Sprint(len(card)-1),
		"decimal comma":               card[:1] + "," + card[1:] + "e" + fmt.Sprint(len(card)-1),
		"two cards, the second valid": withWrongCheckDigit(card[:len(card)-1]) + " and " + card,
	}
	for name, sep := range separators {
		forms["separated by "+name] = group(card, 4, sep)
	}
	return forms
}

func htmlReferences(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

func escapes(s, format string) string { return htmlReferences(s, format) }

func utf16Escapes(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		fmt.Fprintf(&b, `\u%04x`, r)
	}
	return b.String()
}

func mapCircled(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '0' {
			return '⓪'
		}
		return '①' + r - '1'
	}, s)
}

func mapSuperscript(s string) string {
	sup := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	return strings.Map(func(r rune) rune { return sup[r-'0'] }, s)
}

func TestContainsCardNumberSeesEveryForm(t *testing.T) {
	for length := minCardDigits; length <= maxCardDigits; length++ {
		card := cardsByLength[length]
		for name, form := range cardForms(card) {
			t.Run(fmt.Sprintf("%d digits %s", length, name), func(t *testing.T) {
				assert.True(t, ContainsCardNumber(form), "%q", form)
				redacted := RedactCardNumbers(form)
				assert.False(t, ContainsCardNumber(redacted), "%q", redacted)
				assert.Contains(t, redacted, RedactedCardNumber)
			})
		}
	}
}

// failingInEveryWindow returns a number as long as card that fails the Luhn check, and
// whose every window of groups of four (as group writes it) fails it too: a grouped
// 17-digit number also holds windows of 16 and 13 digits, which may pass by chance.
func failingInEveryWindow(card string) string {
	for last := 0; last < 1000; last++ {
		candidate := fmt.Sprintf("%s%03d", card[:len(card)-3], last)
		groups := strings.Split(group(candidate, 4, " "), " ")
		passes := false
		for i := range groups {
			for j := i + 1; j <= len(groups); j++ {
				window := strings.Join(groups[i:j], "")
				if len(window) >= minCardDigits && len(window) <= maxCardDigits && luhnValid(window) {
					passes = true
				}
			}
		}
		if !passes {
			return candidate
		}
	}
	panic("no such number")
}

func TestLookalikesAreNotCardNumbers(t *testing.T) {
	lookalikes := map[string]string{
		"empty":                               "",
		"twelve digits, Luhn":                 withCheckDigit("41111111111"),
		"twelve digits grouped":               group(withCheckDigit("41111111111"), 4, " "),
		"twenty digits":                       "41111111111111111234",
		"a card inside a longer unbroken run": "0000" + cardsByLength[16],
		"two short runs split by a letter":    "4111111a111111111",
		"letters as separators":               group(cardsByLength[16], 4, "x"),
		"a card split by an id of 20 digits":  "4111 1111 12345678901234567890 1111 1111",
	}
	for length := minCardDigits; length <= maxCardDigits; length++ {
		failing := failingInEveryWindow(cardsByLength[length])
		lookalikes[fmt.Sprintf("%d digits failing Luhn", length)] = failing
		lookalikes[fmt.Sprintf("%d digits failing Luhn, grouped", length)] = group(failing, 4, " ")
		lookalikes[fmt.Sprintf("%d digits failing Luhn, fullwidth", length)] = mapDigits(failing, '０')
		lookalikes[fmt.Sprintf("%d digits failing Luhn, in a token", length)] = "tok_" + failing
		lookalikes[fmt.Sprintf("%d digits failing Luhn, percent-encoded", length)] = percentEachByte(failing)
	}
	for name, s := range lookalikes {
		t.Run(name, func(t *testing.T) {
			assert.False(t, ContainsCardNumber(s), "%q", s)
			assert.Equal(t, s, RedactCardNumbers(s))
		})
	}
}

// realisticIDs are values a fare, a log line or an error cause carries every day. None
// may be taken for a card number: the count of those that are is the detector's false
// positives (want 0). Values the rule itself refuses are in refusedByTheRule instead.
var realisticIDs = []string{
	// UUID v4 (random, fixed seed)
	"6018366c-f658-47a7-9ed3-4fe53a096533", "0b3510b0-b46e-41da-b170-17a6205738d1",
	"cfaf0010-3f58-4ad4-a308-24d215ceb3a1", "6694f229-359b-4548-81a0-d5b3ffc6e35c",
	"7cc661e9-7589-4a4a-87c1-5471a4517d6c", "92b850ad-7eb7-4f82-a3f6-5da874007cb4",
	"67164890-d49d-4ac1-a5b8-063831360a40", "c24f6aa8-3bf3-4a14-bc2f-7ad016edc5d4",
	"852a5fba-444a-4f42-b37f-5722051e2670", "e941aa79-e6ed-4f80-b96d-3bc4685ca8af",
	"A9B7E3EA-1D1D-484F-B9DB-434B610B1631", "d0718c1afdd9478d98dff3934223aa56",
	// ULID, KSUID
	"01ARZ3NDEKTSV4RRFFQ69G5FAV", "01HQ3Z7Y8W2M5K9C4V6B1N0XJT", "01J9ZCW3E5QH0W8K2X7R4M6T9P",
	"0ujsswThIGTUYm2K8FjOOfXtY1K", "0ujtsYcgvSTl8PAuAdqWYSMnLOv", "2Dd4A6uXhLk7fQvP3jR9sT1wYzB",
	// Stripe-style ids
	"tok_visa", "tok_visa_4242", "tok_1N3T00LkdIwHu7ixt44h1F8k", "pm_1MqLiJLkdIwHu7ixUEgbFdYF",
	"pm_card_visa", "cus_NffrFeUfNV2Hib", "pi_3MtwBwLkdIwHu7ix28a3tqPa", "ch_3MmlLrLkdIwHu7ix0snN0B15",
	"card_1MvoiELkdIwHu7ixOeFGbN9D", "seti_1NG8Du2eZvKYlo2C9XMqbR0x", "evt_1NG8Du2eZvKYlo2CUI79vXWy",
	"in_1MtHbELkdIwHu7ixl4OzzPMv", "re_3MtwBwLkdIwHu7ix0Y5nCwDm", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
	// phone numbers, E.164 and national
	"+14155552671", "+442079460958", "+33142685300", "+4930901820", "+919876543210",
	"+61291234567", "(415) 555-2671", "020 7946 0958", "+49 30 901820",
	"+1-800-555-0199", "+81 3-1234-5678", "+34 912 345 678", "+7 495 123-45-67",
	// order numbers, invoices, bookings, tracking
	"ORD-2026-000123", "PO#4500012345", "INV-20261201-0042", "A1B2C3D4E5", "BK-7Q2X9M",
	"1Z999AA10123456784", "9400111899223100000000", "LH400-20261201", "PNR X7K2QD",
	// timestamps and dates
	"2026-12-01T10:15:30Z", "2026-12-01T10:15:30.123Z", "2026-12-01T10:15:30+01:00",
	"2026-12-01", "01/12/2026", "1764584130", "Tue, 01 Dec 2026 10:15:30 GMT",
	// bank account numbers and the like
	"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819",
	"NL91ABNA0417164300", "CH9300762011623852957", "021000021", "123-45-6789",
	// ride ids and our own ids
	"ride-2026-12-01-000123", "ride-2026-12-01-000124", "fare-0001", "cust-42",
	"cust-1_fail_credit_transient_refund", "rider.jane.doe", "f-1", "fare-1",
	// emails, hosts, versions, hashes
	"jane.doe+rides@example.com", "user12345@example.org", "4155552671@txt.att.net",
	"192.168.100.200", "2001:db8::8a2e:370:7334", "v1.26.8", "9fceb02d0ae598e95dc970b74767f19372d61af8",
	"d41d8cd98f00b204e9800998ecf8427e", "arn:aws:states:eu-west-1:123456789012:execution:FareCollection:fare-1",
	// amounts and currencies
	"12.50", "1250", "EUR", "10000000",
}

// refusedByTheRule are realistic values the rule refuses by its own definition: a
// window of 13-19 digits, only separators between its groups, that passes the Luhn
// check. Luhn passes one number in ten, so every value with such a window has at least
// that chance; the ones below are kept as the cost of the rule, each with its reason.
var refusedByTheRule = map[string]string{
	"490154203237518":                      "an IMEI: 15 digits whose last is, by definition, a Luhn check digit",
	"35-209900-176148-1":                   "an IMEI as printed on the box (same digits)",
	"ride-2026-12-01-000126":               "a ride id whose 14 digits (20261201000126) happen to pass Luhn",
	"2026-12-01 10:15:28":                  "a timestamp with a space: 14 digits (20261201101528) that happen to pass Luhn",
	"a2197079-0900-4210-98c8-7855e9ba8f0d": "a UUID v4 whose digits 2197079 0900 4210 98 (17, only dashes between) pass Luhn: about 1 in 370 random UUIDs does (TestFalsePositiveRatesOnRandomIDs)",
	"+5215512345678":                       "a Mexican mobile number (13 digits) that happens to pass Luhn",
	"1764584130124":                        "a Unix time in milliseconds: 13 digits that happen to pass Luhn",
}

func TestRealisticIDsAreNotCardNumbers(t *testing.T) {
	var falsePositives []string
	for _, id := range realisticIDs {
		if ContainsCardNumber(id) {
			falsePositives = append(falsePositives, id)
		}
	}
	t.Logf("false positives on %d realistic ids: %d", len(realisticIDs), len(falsePositives))
	assert.Empty(t, falsePositives)
}

func TestTheRuleRefusesSomeRealisticValues(t *testing.T) {
	for value, reason := range refusedByTheRule {
		assert.True(t, ContainsCardNumber(value), "%q: %s", value, reason)
	}
}

func TestRedactCardNumbersKeepsTheRest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"card 4111 1111 1111 1111 declined", "card " + RedactedCardNumber + " declined"},
		{"customerId rider.5555555555554444 refused", "customerId rider." + RedactedCardNumber + " refused"},
		{"4111111111111111,5555555555554444", RedactedCardNumber + "," + RedactedCardNumber},
		{"4111 1111 1111 1111 1234", RedactedCardNumber + " 1234"},
		{"%34%31%31%31%31%31%31%31%31%31%31%31%31%31%31%31!", RedactedCardNumber + "!"},
		{"id ０１２３ ４１１１１１１１１１１１１１１１ end", "id ０１２３ " + RedactedCardNumber + " end"},
		{"token " + base64.StdEncoding.EncodeToString([]byte("4111111111111111")) + " sent", "token " + RedactedCardNumber + " sent"},
		{"nothing to see 1234", "nothing to see 1234"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactCardNumbers(tt.in), tt.in)
	}
}

// TestDecimalDigitTableIsWholeRuns checks what decimalDigitValue relies on.
func TestDecimalDigitTableIsWholeRuns(t *testing.T) {
	for _, r := range unicode.Nd.R16 {
		assert.Equal(t, uint16(1), r.Stride)
		assert.Zero(t, (r.Hi-r.Lo+1)%10, "%U-%U", r.Lo, r.Hi)
	}
	for _, r := range unicode.Nd.R32 {
		assert.Equal(t, uint32(1), r.Stride)
		assert.Zero(t, (r.Hi-r.Lo+1)%10, "%U-%U", r.Lo, r.Hi)
	}
	for r, want := range map[rune]uint8{'7': 7, '٧': 7, '۷': 7, '७': 7, '๗': 7, '７': 7, '𝟕': 7, '᠗': 7, '0': 0, '٠': 0} {
		got, ok := decimalDigitValue(r)
		require.True(t, ok, "%U", r)
		assert.Equal(t, want, got, "%U", r)
	}
	for _, r := range []rune{'a', '①', 'Ⅶ', ' ', '½'} {
		_, ok := decimalDigitValue(r)
		assert.False(t, ok, "%U", r)
	}
}
