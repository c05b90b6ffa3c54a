package jsonvalue

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// SyntaxError is text that is not one JSON value. Its message is encoding/json's for
// the same text, so callers that quoted encoding/json's errors keep their wording.
type SyntaxError struct {
	msg    string
	Offset int
}

func (e *SyntaxError) Error() string { return e.msg }

// maxDepth bounds nesting, as encoding/json does, so that hostile input cannot exhaust
// the stack.
const maxDepth = 10000

// Parse reads one JSON value, with whitespace around it and nothing else: objects come
// out as *Object in document order (a key given twice keeps its first place and its
// last value), numbers as float64, strings with invalid UTF-8 repaired as encoding/json
// does.
func Parse(data []byte) (any, error) {
	return ParseString(string(data))
}

// ParseString is Parse for text. Strings in the value share the text's memory.
func ParseString(text string) (any, error) {
	// The stacks come from a pool: they would not stay on the goroutine's stack.
	stacks := parserStacks.Get().(*stacks)
	p := parser{data: text, members: stacks.members[:0], items: stacks.items[:0]}
	p.skipSpace()
	v, err := p.value(0)
	if err == nil {
		p.skipSpace()
		if p.pos < len(p.data) {
			err = errSyntax
		}
	}
	if cap(p.members) <= maxPooledStack && cap(p.items) <= maxPooledStack {
		clear(p.members[:cap(p.members)]) // nothing kept alive by the pool
		clear(p.items[:cap(p.items)])
		stacks.members, stacks.items = p.members[:0], p.items[:0]
		parserStacks.Put(stacks)
	}
	if err != nil {
		return nil, describe(text, err)
	}
	return v, nil
}

// stacks are a parser's member and item stacks, reused from parse to parse.
type stacks struct {
	members []Member
	items   []any
}

// maxPooledStack bounds the stacks the pool keeps: a huge document's are let go.
const maxPooledStack = 4096

var parserStacks = sync.Pool{New: func() any {
	return &stacks{members: make([]Member, 0, 32), items: make([]any, 0, 32)}
}}

// Valid reports whether data is one JSON value.
func Valid(data []byte) bool { return json.Valid(data) }

var errSyntax = fmt.Errorf("syntax error")

// describe words a failure as encoding/json would; the parser itself only knows that
// the text is wrong, which keeps its own path short.
func describe(text string, err error) error {
	if err != errSyntax {
		return err
	}
	var v any
	if jsonErr := json.Unmarshal([]byte(text), &v); jsonErr != nil {
		if syntax, ok := jsonErr.(*json.SyntaxError); ok {
			return &SyntaxError{msg: syntax.Error(), Offset: int(syntax.Offset)}
		}
		return &SyntaxError{msg: jsonErr.Error()}
	}
	return &SyntaxError{msg: "invalid JSON"}
}

type parser struct {
	data string
	pos  int
	// members and items are stacks shared by the objects and arrays being read, so
	// that each gets a slice of exactly its size.
	members []Member
	items   []any
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, errSyntax
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.string()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, errSyntax
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || p.data[p.pos:p.pos+len(word)] != word {
		return errSyntax
	}
	p.pos += len(word)
	return nil
}

func (p *parser) object(depth int) (any, error) {
	if depth > maxDepth {
		return nil, &SyntaxError{msg: "exceeded max depth", Offset: p.pos}
	}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return &Object{}, nil
	}
	base := len(p.members)
	duplicates := false
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, errSyntax
		}
		k, err := p.text()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, errSyntax
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if !duplicates && len(p.members)-base < indexFrom {
			for _, m := range p.members[base:] {
				if m.Key == k {
					duplicates = true
					break
				}
			}
		}
		p.members = append(p.members, Member{Key: k, Value: v})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return p.finishObject(base, duplicates), nil
		default:
			return nil, errSyntax
		}
	}
}

// finishObject makes the object of the members read since base.
func (p *parser) finishObject(base int, duplicates bool) *Object {
	read := p.members[base:]
	o := NewObject(len(read))
	if duplicates || len(read) >= indexFrom {
		for _, m := range read {
			o.Set(m.Key, m.Value)
		}
	} else {
		o.members = append(o.members, read...)
	}
	clear(read)
	p.members = p.members[:base]
	return o
}

func (p *parser) array(depth int) (any, error) {
	if depth > maxDepth {
		return nil, &SyntaxError{msg: "exceeded max depth", Offset: p.pos}
	}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return []any{}, nil
	}
	base := len(p.items)
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, errSyntax
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			items := make([]any, len(p.items)-base)
			copy(items, p.items[base:])
			clear(p.items[base:])
			p.items = p.items[:base]
			return items, nil
		default:
			return nil, errSyntax
		}
	}
}

func (p *parser) number() (any, error) {
	start := p.pos
	d := p.data
	i := p.pos
	if d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return nil, errSyntax
	}
	// JSON's grammar: 0 or a digit run without a leading zero, then .digits, then e.
	if d[i] == '0' {
		i++
	} else if d[i] >= '1' && d[i] <= '9' {
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	} else {
		return nil, errSyntax
	}
	integer := true
	if i < len(d) && d[i] == '.' {
		integer = false
		i++
		digits := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == digits {
			return nil, errSyntax
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integer = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		digits := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == digits {
			return nil, errSyntax
		}
	}
	p.pos = i
	text := d[start:i]
	if integer && len(text) <= 15 { // exact in a float64: no need for ParseFloat
		n := int64(0)
		neg := text[0] == '-'
		digits := text
		if neg {
			digits = text[1:]
		}
		for i := 0; i < len(digits); i++ {
			n = n*10 + int64(digits[i]-'0')
		}
		if neg {
			if n == 0 {
				return math.Copysign(0, -1), nil
			}
			n = -n
		}
		return float64(n), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, &SyntaxError{msg: "json: cannot unmarshal number " + text + " into Go value of type float64", Offset: start}
	}
	return f, nil
}

// string reads a string value (boxed: an interface holding a string costs an allocation,
// which keys, read by text, do not pay).
func (p *parser) string() (any, error) {
	text, err := p.text()
	if err != nil {
		return nil, err
	}
	return text, nil
}

// text reads a string.
func (p *parser) text() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	d := p.data
	ascii := true
	for i := start; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '"':
			if !ascii && !utf8.ValidString(d[start:i]) {
				return p.slowString(start)
			}
			p.pos = i + 1
			return d[start:i], nil
		case c == '\\' || c < 0x20:
			return p.slowString(start)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", errSyntax
}

// slowString decodes a string with escapes or non-ASCII text, from start (after the
// opening quote).
func (p *parser) slowString(start int) (string, error) {
	d := p.data
	out := make([]byte, 0, 32)
	i := start
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(out), nil
		case c < 0x20:
			return "", errSyntax
		case c == '\\':
			if i+1 >= len(d) {
				return "", errSyntax
			}
			switch e := d[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
				i += 2
			case 'b':
				out, i = append(out, '\b'), i+2
			case 'f':
				out, i = append(out, '\f'), i+2
			case 'n':
				out, i = append(out, '\n'), i+2
			case 'r':
				out, i = append(out, '\r'), i+2
			case 't':
				out, i = append(out, '\t'), i+2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return "", errSyntax
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r2, ok := hex4(d, i+2); ok && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
						if combined := utf16.DecodeRune(r, r2); combined != utf8.RuneError {
							out = utf8.AppendRune(out, combined)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", errSyntax
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(d[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, d[i:i+size]...)
			}
			i += size
		}
	}
	return "", errSyntax
}

func hex4(d string, at int) (rune, bool) {
	if at+4 > len(d) {
		return 0, false
	}
	var r rune
	for i := at; i < at+4; i++ {
		c := d[i]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
