package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a path that cannot be compiled. It belongs to the definition, not to
// a running machine, so it is not a failure.Error.
type SyntaxError struct {
	Path   string
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSONPath %q at offset %d: %s", e.Path, e.Offset, e.Msg)
}

type pathParser struct {
	src string
	pos int
	// inFilter ends field names at the characters of filter syntax too.
	inFilter bool
}

func (p *pathParser) errorf(format string, args ...any) error {
	return &SyntaxError{Path: p.src, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *pathParser) more() bool { return p.pos < len(p.src) }

func (p *pathParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *pathParser) skipSpace() {
	for p.more() && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *pathParser) parse() (*Path, error) {
	path := &Path{text: p.src}
	if p.peek() != '$' {
		return nil, p.errorf("a path must start with \"$\"")
	}
	p.pos++
	switch {
	case p.peek() == '$':
		p.pos++
		path.root = rootContext
	case p.more() && isVariableStart(p.src[p.pos:]):
		path.root = rootVariable
		path.variable = p.variableName()
	}
	segments, err := p.segments()
	if err != nil {
		return nil, err
	}
	if p.more() {
		return nil, p.errorf("unexpected %q", p.src[p.pos:])
	}
	path.segments = segments
	path.definite = true
	for i := range segments {
		path.definite = path.definite && segments[i].isDefinite()
	}
	return path, nil
}

func isVariableStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '_' || unicode.IsLetter(r)
}

func (p *pathParser) variableName() string {
	start := p.pos
	for p.more() {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		p.pos += size
	}
	return p.src[start:p.pos]
}

// segments reads steps while the next character starts one.
func (p *pathParser) segments() ([]segment, error) {
	var out []segment
	for p.peek() == '.' || p.peek() == '[' {
		s, err := p.segment()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *pathParser) segment() (segment, error) {
	if p.peek() == '[' {
		return p.bracket()
	}
	p.pos++ // '.'
	deep := false
	if p.peek() == '.' {
		deep = true
		p.pos++
	}
	var s segment
	var err error
	switch p.peek() {
	case '[':
		if !deep {
			return s, p.errorf("unexpected \"[\" after \".\"")
		}
		s, err = p.bracket()
	case '*':
		p.pos++
		s = segment{kind: segWildcard}
	default:
		s, err = p.dotName()
	}
	s.deep = deep
	return s, err
}

func (p *pathParser) dotName() (segment, error) {
	start := p.pos
	for p.more() && !p.endsName(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return segment{}, p.errorf("missing field name")
	}
	if p.more() && isSpace(p.src[p.pos]) && !p.inFilter {
		return segment{}, p.errorf("white space in a field name; use ['...'] for such names")
	}
	return segment{kind: segName, name: p.src[start:p.pos]}, nil
}

func (p *pathParser) endsName(c byte) bool {
	if c == '.' || c == '[' || isSpace(c) {
		return true
	}
	return p.inFilter && strings.IndexByte("()=!<>&|,", c) >= 0
}

// bracket reads [...] : a quoted name or names, *, an index or indexes, a slice or a
// filter.
func (p *pathParser) bracket() (segment, error) {
	p.pos++ // '['
	p.skipSpace()
	var s segment
	var err error
	switch c := p.peek(); {
	case c == '*':
		p.pos++
		s = segment{kind: segWildcard}
	case c == '\'' || c == '"':
		s, err = p.quotedNames()
	case c == '?':
		s, err = p.filterSegment()
	default:
		s, err = p.indexSelector()
	}
	if err != nil {
		return s, err
	}
	p.skipSpace()
	if p.peek() != ']' {
		return s, p.errorf("expected \"]\"")
	}
	p.pos++
	return s, nil
}

func (p *pathParser) quotedNames() (segment, error) {
	var names []string
	for {
		name, err := p.quoted()
		if err != nil {
			return segment{}, err
		}
		names = append(names, name)
		p.skipSpace()
		if p.peek() != ',' {
			break
		}
		p.pos++
		p.skipSpace()
	}
	if len(names) == 1 {
		return segment{kind: segName, name: names[0]}, nil
	}
	return segment{kind: segNames, names: names}, nil
}

// quoted reads a string in single or double quotes. A backslash escapes the quote and
// itself; before anything else it is kept, because AWS matches "$['a\"b']" against
// the key a\"b (recorded).
func (p *pathParser) quoted() (string, error) {
	quote := p.peek()
	if quote != '\'' && quote != '"' {
		return "", p.errorf("expected a quoted name")
	}
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.more() {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == quote || p.src[p.pos+1] == '\\'):
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
		case c == quote:
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.pos = start
	return "", p.errorf("unterminated quoted name")
}

// indexSelector reads n, n,m,... or start:end with either bound optional.
func (p *pathParser) indexSelector() (segment, error) {
	first, hasFirst, err := p.optionalInt()
	if err != nil {
		return segment{}, err
	}
	p.skipSpace()
	switch p.peek() {
	case ':':
		p.pos++
		p.skipSpace()
		end, hasEnd, err := p.optionalInt()
		if err != nil {
			return segment{}, err
		}
		return segment{kind: segSlice, slice: sliceBounds{start: first, end: end, hasStart: hasFirst, hasEnd: hasEnd}}, nil
	case ',':
		if !hasFirst {
			return segment{}, p.errorf("expected an index")
		}
		indexes := []int{first}
		for p.peek() == ',' {
			p.pos++
			p.skipSpace()
			n, ok, err := p.optionalInt()
			if err != nil {
				return segment{}, err
			}
			if !ok {
				return segment{}, p.errorf("expected an index")
			}
			indexes = append(indexes, n)
			p.skipSpace()
		}
		return segment{kind: segIndexes, indexes: indexes}, nil
	}
	if !hasFirst {
		return segment{}, p.errorf("expected an index, a quoted name, \"*\" or a filter")
	}
	return segment{kind: segIndex, index: first}, nil
}

func (p *pathParser) optionalInt() (int, bool, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	for p.more() && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == start {
		return 0, false, nil
	}
	text := p.src[start:p.pos]
	n, err := strconv.Atoi(text)
	if err != nil || n > 1<<31 || n < -(1<<31) {
		p.pos = start
		return 0, false, p.errorf("invalid index %q", text)
	}
	return n, true, nil
}
