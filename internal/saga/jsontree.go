package saga

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// jsonValue is a JSON value exactly as the input wrote it: members in order with their
// duplicates, numbers as their literal text. encoding/json cannot give us that:
// Unmarshal keeps the last of two equal names silently (a card number in the first would
// pass), and it turns invalid UTF-8 and unpaired surrogate escapes into U+FFFD.
type jsonValue struct {
	kind     jsonKind
	text     string // a string's contents, a number's literal text
	members  []jsonMember
	elements []jsonValue
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

type jsonMember struct {
	name  string
	value jsonValue
}

// maxJSONDepth bounds nesting, as encoding/json does, so that a hostile input cannot
// exhaust the stack; no fare comes near it.
const maxJSONDepth = 1000

// Why some inputs are not read at all. Invalid UTF-8 and unpaired surrogate escapes are
// refused rather than repaired: readers repair them differently (U+FFFD, '?', dropped,
// kept as a lone UTF-16 unit), so the text we would check is not the text the next
// reader shows, and a byte we read as noise could be a separator to it.
var (
	errJSONSyntax    = errors.New("not JSON")
	errJSONNotUTF8   = errors.New("not UTF-8")
	errJSONSurrogate = errors.New("unpaired surrogate escape")
	errJSONTooDeep   = errors.New("nested too deep")
)

// parseJSON reads one JSON value (RFC 8259, nothing before or after it but whitespace).
func parseJSON(in []byte) (jsonValue, error) {
	if !utf8.Valid(in) {
		return jsonValue{}, errJSONNotUTF8
	}
	p := jsonParser{in: in}
	v, err := p.value()
	if err != nil {
		return jsonValue{}, err
	}
	if p.skipSpace(); p.pos != len(p.in) {
		return jsonValue{}, errJSONSyntax
	}
	return v, nil
}

type jsonParser struct {
	in    []byte
	pos   int
	depth int
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (jsonValue, error) {
	p.skipSpace()
	if p.pos >= len(p.in) {
		return jsonValue{}, errJSONSyntax
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.string()
		return jsonValue{kind: jsonString, text: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return jsonValue{kind: jsonBool, text: "true"}, nil
	case p.literal("false"):
		return jsonValue{kind: jsonBool, text: "false"}, nil
	case p.literal("null"):
		return jsonValue{kind: jsonNull}, nil
	}
	return jsonValue{}, errJSONSyntax
}

func (p *jsonParser) literal(word string) bool {
	if !bytes.HasPrefix(p.in[p.pos:], []byte(word)) {
		return false
	}
	p.pos += len(word)
	return true
}

// items reads a container whose opening bracket is at p.pos, calling item for each of
// its items.
func (p *jsonParser) items(closing byte, item func() error) error {
	p.depth++
	if p.depth > maxJSONDepth {
		return errJSONTooDeep
	}
	p.pos++
	p.skipSpace()
	for empty := p.accept(closing); !empty; {
		if err := item(); err != nil {
			return err
		}
		p.skipSpace()
		switch {
		case p.accept(closing):
			empty = true
		case !p.accept(','):
			return errJSONSyntax
		}
	}
	p.depth--
	return nil
}

func (p *jsonParser) object() (jsonValue, error) {
	v := jsonValue{kind: jsonObject}
	err := p.items('}', func() error {
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] != '"' {
			return errJSONSyntax
		}
		name, err := p.string()
		if err != nil {
			return err
		}
		if p.skipSpace(); !p.accept(':') {
			return errJSONSyntax
		}
		value, err := p.value()
		v.members = append(v.members, jsonMember{name: name, value: value})
		return err
	})
	return v, err
}

func (p *jsonParser) array() (jsonValue, error) {
	v := jsonValue{kind: jsonArray}
	err := p.items(']', func() error {
		element, err := p.value()
		v.elements = append(v.elements, element)
		return err
	})
	return v, err
}

// string reads a string literal at p.pos (its opening quote) and returns its contents.
func (p *jsonParser) string() (string, error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.in) { // the common case: no escapes
		c := p.in[p.pos]
		if c == '"' {
			p.pos++
			return string(p.in[start : p.pos-1]), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	b := append([]byte(nil), p.in[start:p.pos]...)
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c < 0x20:
			return "", errJSONSyntax
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.in) {
			return "", errJSONSyntax
		}
		escape := p.in[p.pos+1]
		p.pos += 2
		switch escape {
		case '"', '\\', '/':
			b = append(b, escape)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", errJSONSyntax
		}
	}
	return "", errJSONSyntax
}

// unicodeEscape reads the XXXX of \uXXXX, and the low half of a surrogate pair.
func (p *jsonParser) unicodeEscape() (rune, error) {
	r, ok := hexRune(string(p.in[p.pos:min(len(p.in), p.pos+4)]), 0, 4)
	if !ok {
		return 0, errJSONSyntax
	}
	p.pos += 4
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, errJSONSurrogate
	case r < 0xD800 || r > 0xDBFF:
		return r, nil
	}
	if p.pos+6 > len(p.in) || p.in[p.pos] != '\\' || p.in[p.pos+1] != 'u' {
		return 0, errJSONSurrogate
	}
	low, ok := hexRune(string(p.in[p.pos+2:p.pos+6]), 0, 4)
	if !ok || low < 0xDC00 || low > 0xDFFF {
		return 0, errJSONSurrogate
	}
	p.pos += 6
	return 0x10000 + (r-0xD800)<<10 + (low - 0xDC00), nil
}

// number reads a number literal (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
func (p *jsonParser) number() (jsonValue, error) {
	start := p.pos
	p.accept('-')
	switch {
	case p.accept('0'):
	case p.digits() == 0:
		return jsonValue{}, errJSONSyntax
	}
	if p.accept('.') && p.digits() == 0 {
		return jsonValue{}, errJSONSyntax
	}
	if p.accept('e') || p.accept('E') {
		if !p.accept('+') {
			p.accept('-')
		}
		if p.digits() == 0 {
			return jsonValue{}, errJSONSyntax
		}
	}
	return jsonValue{kind: jsonNumber, text: string(p.in[start:p.pos])}, nil
}

func (p *jsonParser) accept(c byte) bool {
	if p.pos < len(p.in) && p.in[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *jsonParser) digits() int {
	start := p.pos
	for p.pos < len(p.in) && p.in[p.pos] >= '0' && p.in[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}
