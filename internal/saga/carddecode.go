package saga

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The encodings a card number can be wrapped in and still reach a reader who will unwrap
// it: a URL decoder, an HTML page, a language's string literal, a base64 or hex blob.
// Escapes (percent, HTML character references, backslash) are undone in rounds, so that
// double encodings ("%2534", "&amp;#52;", "\\u0034") are undone too; tokens (base64,
// hex) are decoded and their contents scanned like any text, to a bounded depth.
const (
	maxEscapeRounds = 4
	maxTokenDepth   = 2
	// A token must be long enough to hold 13 bytes: 18 base64 characters, 26 hex digits.
	minBase64Token = 18
	minHexToken    = 2 * minCardDigits
)

// decodedText is a text decoded from the original, with, for each of its bytes, the span
// of the original text that byte was decoded from; from is nil for the original itself.
type decodedText struct {
	s    string
	from []span
}

// origin is the span of the original text that bytes [lo, hi) of t came from.
func (t decodedText) origin(lo, hi int) span {
	if t.from == nil {
		return span{lo, hi}
	}
	return span{t.from[lo].lo, t.from[hi-1].hi}
}

// decodeEscapes undoes one round of escapes in t; it reports whether there was any.
func decodeEscapes(t decodedText) (decodedText, bool) {
	s := t.s
	if !strings.ContainsAny(s, `%&\`) {
		return t, false
	}
	out := decodedText{from: make([]span, 0, len(s))}
	b := make([]byte, 0, len(s))
	changed := false
	var scratch [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		n, decoded := escapeAt(s, i, scratch[:0])
		if n == 0 {
			n, decoded = 1, append(scratch[:0], s[i])
		} else {
			changed = true
		}
		at := t.origin(i, i+n)
		for _, c := range decoded {
			b = append(b, c)
			out.from = append(out.from, at)
		}
		i += n
	}
	out.s = string(b)
	return out, changed
}

// escapeAt decodes the escape that starts at s[i], appending it to dst; n is the number
// of bytes it took, 0 if there is none.
func escapeAt(s string, i int, dst []byte) (n int, decoded []byte) {
	switch s[i] {
	case '%': // %HH, one byte of a URL's percent encoding
		if hi, lo, ok := hexPair(s, i+1); ok {
			return 3, append(dst, hi<<4|lo)
		}
	case '&':
		return htmlReference(s, i, dst)
	case '\\':
		return backslashEscape(s, i, dst)
	}
	return 0, dst
}

// htmlReference decodes &#DDD; &#xHHH; and named references. The ';' of a numeric one is
// optional, as HTML parsers allow. Named references stand for letters and punctuation,
// not digits, except the superscripts; the few that rebuild another escape (&amp; &percnt;
// &bsol;) are decoded, every other one counts as a separator: "4111&nbsp;1111" and
// "4111&ndash;1111" are a number in a browser.
func htmlReference(s string, i int, dst []byte) (int, []byte) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base := 10
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
		start := j
		for j < len(s) && j-start < 8 && isDigitIn(s[j], base) {
			j++
		}
		if j == start {
			return 0, dst
		}
		code, err := strconv.ParseUint(s[start:j], base, 32)
		if err != nil || code == 0 || code > utf8.MaxRune || (code >= 0xD800 && code <= 0xDFFF) {
			return 0, dst
		}
		if j < len(s) && s[j] == ';' {
			j++
		}
		return j - i, utf8.AppendRune(dst, rune(code))
	}
	start := j
	for j < len(s) && j-start < 32 && isAlnum(s[j]) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' || !isLetter(s[start]) {
		return 0, dst
	}
	name := s[start:j]
	n := j + 1 - i
	switch name {
	case "amp", "AMP":
		return n, append(dst, '&')
	case "percnt":
		return n, append(dst, '%')
	case "bsol":
		return n, append(dst, '\\')
	case "sup1":
		return n, append(dst, '1')
	case "sup2":
		return n, append(dst, '2')
	case "sup3":
		return n, append(dst, '3')
	}
	return n, append(dst, ' ')
}

// backslashEscape decodes the string-literal escapes of JSON, JavaScript, Python and Go:
// \\ \uXXXX (and surrogate pairs) \u{X…} \UXXXXXXXX \xHH.
func backslashEscape(s string, i int, dst []byte) (int, []byte) {
	if i+1 >= len(s) {
		return 0, dst
	}
	switch s[i+1] {
	case '\\':
		return 2, append(dst, '\\')
	case 'x':
		if hi, lo, ok := hexPair(s, i+2); ok {
			return 4, append(dst, hi<<4|lo)
		}
	case 'U':
		if r, ok := hexRune(s, i+2, 8); ok {
			return 10, utf8.AppendRune(dst, r)
		}
	case 'u':
		if i+2 < len(s) && s[i+2] == '{' {
			end := strings.IndexByte(s[i+3:min(len(s), i+11)], '}')
			if end > 0 {
				if r, ok := hexRune(s, i+3, end); ok {
					return end + 4, utf8.AppendRune(dst, r)
				}
			}
			return 0, dst
		}
		r, ok := hexRune(s, i+2, 4)
		if !ok {
			return 0, dst
		}
		if r >= 0xD800 && r <= 0xDBFF && i+11 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if low, ok := hexRune(s, i+8, 4); ok && low >= 0xDC00 && low <= 0xDFFF {
				return 12, utf8.AppendRune(dst, 0x10000+(r-0xD800)<<10+(low-0xDC00))
			}
		}
		if r >= 0xD800 && r <= 0xDFFF {
			return 0, dst // an unpaired surrogate is no character
		}
		return 6, utf8.AppendRune(dst, r)
	}
	return 0, dst
}

// encodedRuns returns the spans of s where two or more escapes (percent or HTML
// references) follow each other. Read literally, "%34%31%31…" is digit pairs separated by
// '%': dense digits whose windows pass Luhn one time in ten. Such a run is encoded text,
// and the next round reads it decoded, so the literal reading treats it as a letter.
// A lone escape stays literal ("4111%2011%2011%2011" may be '%' used as a separator), and
// so do escapes of control bytes, which no encoder of real text produces
// ("41%11%11%11…").
func encodedRuns(s string) []span {
	if !strings.ContainsAny(s, "%&") {
		return nil
	}
	var runs []span
	var scratch [utf8.UTFMax]byte
	for i := 0; i < len(s); {
		start, count := i, 0
		for i < len(s) && (s[i] == '%' || s[i] == '&') {
			n, decoded := escapeAt(s, i, scratch[:0])
			if n == 0 || (len(decoded) == 1 && (decoded[0] < 0x20 || decoded[0] == 0x7f)) {
				break
			}
			i += n
			count++
		}
		if count >= 2 {
			runs = append(runs, span{start, i})
		}
		if count == 0 {
			i++
		}
	}
	return runs
}

func hexPair(s string, i int) (hi, lo byte, ok bool) {
	if i+1 >= len(s) || !isDigitIn(s[i], 16) || !isDigitIn(s[i+1], 16) {
		return 0, 0, false
	}
	return hexValue(s[i]), hexValue(s[i+1]), true
}

func hexRune(s string, i, digits int) (rune, bool) {
	if i+digits > len(s) {
		return 0, false
	}
	var r uint32
	for _, c := range []byte(s[i : i+digits]) {
		if !isDigitIn(c, 16) {
			return 0, false
		}
		r = r<<4 | uint32(hexValue(c))
	}
	return rune(r), r <= utf8.MaxRune
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isDigitIn(c byte, base int) bool {
	if c >= '0' && c <= '9' {
		return true
	}
	return base == 16 && (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isAlnum(c byte) bool { return isLetter(c) || (c >= '0' && c <= '9') }

func isBase64Char(c byte) bool { return isAlnum(c) || c == '+' || c == '/' || c == '-' || c == '_' }

// forEachEncodedToken calls fn with each base64 or hex token of s long enough to hold a
// card number, decoded at every alignment a hostile prefix could have shifted it to
// (base64 in either alphabet, with or without padding), until fn returns false.
func forEachEncodedToken(s string, fn func(lo, hi int, decoded string) bool) {
	for lo := 0; lo < len(s); {
		if !isBase64Char(s[lo]) {
			lo++
			continue
		}
		hi := lo
		for hi < len(s) && isBase64Char(s[hi]) {
			hi++
		}
		end := hi
		for end < len(s) && end-hi < 2 && s[end] == '=' {
			end++
		}
		if hi-lo >= minBase64Token && !eachBase64Reading(s[lo:hi], func(d string) bool { return fn(lo, end, d) }) {
			return
		}
		if !eachHexReading(s[lo:hi], func(hlo, hhi int, d string) bool { return fn(lo+hlo, lo+hhi, d) }) {
			return
		}
		lo = end
	}
}

var urlToStdBase64 = strings.NewReplacer("-", "+", "_", "/")

func eachBase64Reading(token string, fn func(string) bool) bool {
	std := token
	if strings.ContainsAny(token, "-_") {
		std = urlToStdBase64.Replace(token)
	}
	for shift := 0; shift < 4 && len(std)-shift >= minBase64Token; shift++ {
		body := std[shift:]
		if len(body)%4 == 1 {
			body = body[:len(body)-1]
		}
		decoded, err := base64.RawStdEncoding.DecodeString(body)
		if err == nil && !fn(string(decoded)) {
			return false
		}
	}
	return true
}

// eachHexReading decodes the hex runs of a base64 token, at both alignments.
func eachHexReading(token string, fn func(lo, hi int, decoded string) bool) bool {
	for lo := 0; lo < len(token); {
		if !isDigitIn(token[lo], 16) {
			lo++
			continue
		}
		hi := lo
		for hi < len(token) && isDigitIn(token[hi], 16) {
			hi++
		}
		for shift := 0; shift < 2 && hi-lo-shift >= minHexToken; shift++ {
			body := token[lo+shift : hi]
			body = body[:len(body)/2*2]
			decoded, err := hex.DecodeString(body)
			if err == nil && !fn(lo, hi, string(decoded)) {
				return false
			}
		}
		lo = hi
	}
	return true
}
