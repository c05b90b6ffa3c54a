package saga

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The card-number rule, the one every word-boundary DLP pattern applies: a text holds a
// card number when some window of consecutive digit groups, with nothing but separators
// between the groups, holds 13 to 19 digits whose last digit is their Luhn check digit.
//
//   - A digit is any Unicode decimal digit, read by its value after NFKC (fullwidth,
//     mathematical, superscript and circled digits become ASCII ones; Arabic-Indic,
//     Devanagari and the other Nd digits count by their digit value; the invisible tag
//     characters count as the ASCII they mirror).
//   - A letter ends the chain of groups: "x4111111111111111y" holds a card number, but the
//     digits of "a1b2c3…" never join. Treating letters as separators would make every UUID
//     and base62 id a candidate.
//   - Everything else is a separator: spaces of every kind, dashes of every kind, dots,
//     slashes, colons, plus, commas, brackets, control, format (zero-width, soft hyphen,
//     BOM) and combining characters. A hostile client picks the separator, so we do not
//     keep a list of the ones a card printer would use.
//   - A single unbroken run of more than 19 digits is an id, not a card number: it joins no
//     window, and it breaks the chain, like a letter.
//
// Texts are also read through the encodings a client could wrap a number in (percent,
// HTML character references, backslash escapes, base64, hex; see carddecode.go).
const (
	minCardDigits = 13
	maxCardDigits = 19
)

// The tag characters U+E0020-U+E007E, a copy of printable ASCII.
const (
	tagSpace = 0xE0020
	tagTilde = 0xE007E
)

// span is a byte range [lo, hi) of the text a scan started from.
type span struct{ lo, hi int }

// ContainsCardNumber reports whether s holds a card number in any form the rule above
// describes.
func ContainsCardNumber(s string) bool {
	return len(findCardNumbers(s, true)) > 0
}

// RedactedCardNumber replaces each card number RedactCardNumbers finds.
const RedactedCardNumber = "[card number redacted]"

// RedactCardNumbers returns s with each card number replaced by RedactedCardNumber: for
// texts we did not write, such as an error cause or a log attribute, on their way out.
// A card number found only inside an encoded token (base64, hex) takes the whole token
// with it.
func RedactCardNumbers(s string) string {
	// Replacing one number could, in principle, let two neighbours meet; a marker holds
	// letters, which end digit chains, so a second pass finds nothing in practice, and the
	// last resort keeps the promise anyway.
	for range 3 {
		found := findCardNumbers(s, false)
		if len(found) == 0 {
			return s
		}
		s = replaceSpans(s, found, RedactedCardNumber)
	}
	if ContainsCardNumber(s) {
		return RedactedCardNumber
	}
	return s
}

// findCardNumbers returns the spans of s that hold card numbers, merged and in order;
// with first it stops at the first one.
func findCardNumbers(s string, first bool) []span {
	f := cardFinder{first: first}
	f.scan(s)
	return mergeSpans(f.found)
}

// cardFinder runs the rule over a text and the texts decoded from it.
type cardFinder struct {
	first bool
	found []span
}

func (f *cardFinder) done() bool { return f.first && len(f.found) > 0 }

func (f *cardFinder) scan(s string) { f.scanDecoded(decodedText{s: s}, 0) }

// scanDecoded checks t, then each text decoded from it, mapping what it finds back to the
// original text. Every round is checked, not only the last: decoding can also destroy a
// number ("4111%1111%…" uses '%' as a separator, and "%11" decodes to a control byte).
func (f *cardFinder) scanDecoded(t decodedText, depth int) {
	for round := 0; ; round++ {
		f.scanPlain(t)
		if f.done() {
			return
		}
		if depth < maxTokenDepth {
			f.scanTokens(t, depth)
			if f.done() {
				return
			}
		}
		if round == maxEscapeRounds {
			return
		}
		next, changed := decodeEscapes(t)
		if !changed {
			return
		}
		t = next
	}
}

// scanTokens decodes the base64 and hex tokens of t and scans what they hold; a hit
// marks the whole token.
func (f *cardFinder) scanTokens(t decodedText, depth int) {
	forEachEncodedToken(t.s, func(lo, hi int, decoded string) bool {
		inner := cardFinder{first: true}
		inner.scanDecoded(decodedText{s: decoded}, depth+1)
		if len(inner.found) > 0 {
			f.found = append(f.found, t.origin(lo, hi))
		}
		return !f.done()
	})
}

// scanPlain applies the rule to t itself.
func (f *cardFinder) scanPlain(t decodedText) {
	var c digitChain
	c.report = func(found span) bool {
		f.found = append(f.found, found)
		return !f.first
	}
	s := t.s
	encoded := encodedRuns(s)
	for i := 0; i < len(s) && !c.stopped; {
		if len(encoded) > 0 && i == encoded[0].lo {
			c.feedASCII('x', t.origin(i, encoded[0].hi)) // a letter: see encodedRuns
			i, encoded = encoded[0].hi, encoded[1:]
			continue
		}
		b := s[i]
		if b < utf8.RuneSelf {
			c.feedASCII(b, t.origin(i, i+1))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		c.feedRune(r, t.origin(i, i+size))
		i += size
	}
	c.endGroup()
}

// digitChain reads characters one at a time and reports each window of the rule. It
// keeps only the last maxCardDigits digits of the current chain: no window is longer.
type digitChain struct {
	report  func(span) bool // returns false to stop
	stopped bool

	digits [2*maxCardDigits + 2]uint8
	n      int                           // digits in use
	groups [maxCardDigits + 1]digitGroup // the chain, oldest first
	g      int

	cur     digitGroup // the group being read, when reading
	reading bool
}

type digitGroup struct {
	start, length int // in digits; length may exceed maxCardDigits, then digits are dropped
	at            span
}

func (c *digitChain) feedASCII(b byte, at span) {
	switch {
	case b >= '0' && b <= '9':
		c.feedDigit(b-'0', at)
	case b|0x20 >= 'a' && b|0x20 <= 'z':
		c.endGroup()
		c.reset()
	default:
		c.endGroup()
	}
}

func (c *digitChain) feedRune(r rune, at span) {
	if r < utf8.RuneSelf {
		c.feedASCII(byte(r), at)
		return
	}
	// NFKC per character: a compatibility character becomes what it is a variant of (a
	// fullwidth or circled digit a digit, a no-break or ideographic space a space). The
	// decomposition may be several characters ("⑩" is "10"); each keeps the span of r.
	if decomposed := norm.NFKC.PropertiesString(string(r)).Decomposition(); decomposed != nil {
		for _, d := range string(decomposed) {
			c.feedBasic(d, at)
		}
		return
	}
	c.feedBasic(r, at)
}

// feedBasic classifies a character that NFKC leaves alone.
func (c *digitChain) feedBasic(r rune, at span) {
	switch {
	case r < utf8.RuneSelf:
		c.feedASCII(byte(r), at)
	case unicode.IsLetter(r):
		c.endGroup()
		c.reset()
	case r >= tagSpace && r <= tagTilde:
		// Tag characters mirror ASCII and are invisible: text smuggled in them is still
		// text to whoever strips the offset.
		c.feedASCII(byte(r-tagSpace+' '), at)
	default:
		if d, ok := decimalDigitValue(r); ok {
			c.feedDigit(d, at)
		} else {
			c.endGroup()
		}
	}
}

func (c *digitChain) feedDigit(d uint8, at span) {
	if !c.reading {
		c.reading = true
		c.compact()
		c.cur = digitGroup{start: c.n, at: at}
	}
	if c.cur.length < maxCardDigits+1 {
		c.digits[c.n] = d
		c.n++
	}
	c.cur.length++
	c.cur.at.hi = at.hi
}

// endGroup closes the group being read, if any, and checks every window that ends with it.
func (c *digitChain) endGroup() {
	if !c.reading || c.stopped {
		return
	}
	c.reading = false
	if c.cur.length > maxCardDigits {
		c.reset() // an id, and a wall: no window crosses it
		return
	}
	c.groups[c.g] = c.cur
	c.g++
	total := c.n - c.groups[0].start
	for total > maxCardDigits { // drop the oldest groups no window can still use
		total -= c.groups[0].length
		copy(c.groups[:], c.groups[1:c.g])
		c.g--
	}
	// Luhn from the right: the check digit is not doubled, the next one is, and so on.
	// Walking the chain leftwards keeps each digit's parity, so one sum serves every
	// window that ends here.
	sum, count := 0, 0
	for gi := c.g - 1; gi >= 0; gi-- {
		gr := c.groups[gi]
		for i := gr.start + gr.length - 1; i >= gr.start; i-- {
			d := int(c.digits[i])
			if count%2 == 1 {
				d *= 2
				if d > 9 {
					d -= 9
				}
			}
			sum += d
			count++
		}
		if count >= minCardDigits && sum%10 == 0 {
			if !c.report(span{gr.at.lo, c.cur.at.hi}) {
				c.stopped = true
				return
			}
		}
	}
}

func (c *digitChain) reset() { c.g, c.n = 0, 0 }

// compact moves the chain's digits to the front of the buffer before a group starts, so
// that the new group (at most maxCardDigits+1 kept digits) fits.
func (c *digitChain) compact() {
	if c.g == 0 {
		c.n = 0
		return
	}
	shift := c.groups[0].start
	if shift == 0 {
		return
	}
	copy(c.digits[:], c.digits[shift:c.n])
	c.n -= shift
	for i := range c.g {
		c.groups[i].start -= shift
	}
}

// decimalDigitValue is the value of a Unicode decimal digit (category Nd). Unicode
// encodes every decimal digit in a contiguous run of ten from zero to nine, and the
// unicode.Nd table's ranges are whole runs (a test checks it), so the value is the
// distance from the start of its range, modulo ten.
func decimalDigitValue(r rune) (uint8, bool) {
	if r >= '0' && r <= '9' {
		return uint8(r - '0'), true
	}
	if !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if r <= rune(rg.Hi) {
			return uint8((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r <= rune(rg.Hi) {
			return uint8((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// mergeSpans sorts spans and joins the ones that overlap or touch.
func mergeSpans(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.lo <= last.hi {
			last.hi = max(last.hi, s.hi)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// replaceSpans replaces each of the sorted, disjoint spans of s by marker.
func replaceSpans(s string, spans []span, marker string) string {
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp.lo])
		b.WriteString(marker)
		at = sp.hi
	}
	b.WriteString(s[at:])
	return b.String()
}
