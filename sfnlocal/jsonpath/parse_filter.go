package jsonpath

import (
	"regexp"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// maxFilterDepth bounds nested parentheses and negations in a filter.
const maxFilterDepth = 32

// filterSegment reads ?( expression ) inside brackets.
func (p *pathParser) filterSegment() (segment, error) {
	p.pos++ // '?'
	p.skipSpace()
	if p.peek() != '(' {
		return segment{}, p.errorf("expected \"(\" after \"?\"")
	}
	p.pos++
	expr, err := p.orExpr(0)
	if err != nil {
		return segment{}, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return segment{}, p.errorf("expected \")\" to close the filter")
	}
	p.pos++
	return segment{kind: segFilter, filter: expr}, nil
}

func (p *pathParser) consume(token string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], token) {
		p.pos += len(token)
		return true
	}
	return false
}

func (p *pathParser) orExpr(depth int) (filterExpr, error) {
	left, err := p.andExpr(depth)
	for err == nil && p.consume("||") {
		var right filterExpr
		right, err = p.andExpr(depth)
		left = or{left, right}
	}
	return left, err
}

func (p *pathParser) andExpr(depth int) (filterExpr, error) {
	left, err := p.unaryExpr(depth)
	for err == nil && p.consume("&&") {
		var right filterExpr
		right, err = p.unaryExpr(depth)
		left = and{left, right}
	}
	return left, err
}

func (p *pathParser) unaryExpr(depth int) (filterExpr, error) {
	if depth >= maxFilterDepth {
		return nil, p.errorf("filter nested too deeply")
	}
	p.skipSpace()
	switch {
	case p.peek() == '!' && !strings.HasPrefix(p.src[p.pos:], "!="):
		p.pos++
		e, err := p.unaryExpr(depth + 1)
		return not{e}, err
	case p.peek() == '(':
		p.pos++
		e, err := p.orExpr(depth + 1)
		if err == nil && !p.consume(")") {
			err = p.errorf("expected \")\"")
		}
		return e, err
	}
	return p.comparisonExpr()
}

// comparisonOperators are tried in order, longest first.
var comparisonOperators = []string{"==", "!=", "<=", ">=", "=~", "<", ">"}

func (p *pathParser) comparisonExpr() (filterExpr, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	for _, op := range comparisonOperators {
		if !p.consume(op) {
			continue
		}
		if op == "=~" {
			re, err := p.regex()
			return matches{left, re}, err
		}
		right, err := p.operand()
		return comparison{op: op, left: left, right: right}, err
	}
	return exists{left}, nil
}

func (p *pathParser) operand() (operand, error) {
	p.skipSpace()
	switch c := p.peek(); {
	case c == '@' || c == '$':
		p.pos++
		outer := p.inFilter
		p.inFilter = true
		segments, err := p.segments()
		p.inFilter = outer
		if c == '@' {
			return relativePath{segments}, err
		}
		return absolutePath{segments}, err
	case c == '\'' || c == '"':
		s, err := p.quoted()
		return literalOperand{s}, err
	}
	return p.jsonLiteral()
}

// jsonLiteral reads a number, true, false or null.
func (p *pathParser) jsonLiteral() (operand, error) {
	start := p.pos
	for p.more() && strings.IndexByte("+-.0123456789eEtrufalsn", p.src[p.pos]) >= 0 {
		p.pos++
	}
	v, err := jsonvalue.ParseString(p.src[start:p.pos])
	if err != nil || start == p.pos {
		p.pos = start
		return nil, p.errorf("expected @, $, a string, a number, true, false or null")
	}
	return literalOperand{v}, nil
}

// regex reads /pattern/ with an optional i flag.
func (p *pathParser) regex() (*regexp.Regexp, error) {
	p.skipSpace()
	if p.peek() != '/' {
		return nil, p.errorf("expected /regex/ after =~")
	}
	start := p.pos
	p.pos++
	for p.more() && p.src[p.pos] != '/' {
		if p.src[p.pos] == '\\' {
			p.pos++
		}
		p.pos++
	}
	if !p.more() {
		p.pos = start
		return nil, p.errorf("unterminated regular expression")
	}
	pattern := p.src[start+1 : p.pos]
	p.pos++
	if p.peek() == 'i' {
		p.pos++
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		p.pos = start
		return nil, p.errorf("invalid regular expression: %v", err)
	}
	return re, nil
}
