package intrinsic

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxDepth bounds nesting so a hostile definition cannot exhaust the stack; AWS itself
// allows 10 nested calls.
const maxDepth = 64

// SyntaxError is an expression that is not a valid intrinsic function call. It belongs
// to the definition, not to a running machine, so it is not a failure.Error.
type SyntaxError struct {
	Expr   string
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid intrinsic function %q at offset %d: %s", e.Expr, e.Offset, e.Msg)
}

// IsCall reports whether s looks like an intrinsic function call rather than a path,
// which is how AWS tells them apart in ".$" fields.
func IsCall(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "States.")
}

// Parse compiles expr, an intrinsic function call whose path arguments are compiled by
// compile. Unknown functions and wrong argument counts are syntax errors, as AWS
// rejects them when the state machine is created.
func Parse(expr string, compile PathCompiler) (*Call, error) {
	p := &parser{src: expr, compile: compile}
	p.skipSpace()
	call, err := p.call(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q after the call", p.src[p.pos:])
	}
	return call, nil
}

type parser struct {
	src     string
	pos     int
	compile PathCompiler
}

func (p *parser) errorf(format string, args ...any) error {
	return &SyntaxError{Expr: p.src, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) call(depth int) (*Call, error) {
	if depth >= maxDepth {
		return nil, p.errorf("calls are nested more than %d deep", maxDepth)
	}
	start := p.pos
	if !strings.HasPrefix(p.src[p.pos:], "States.") {
		return nil, p.errorf("expected a function name starting with \"States.\"")
	}
	p.pos += len("States.")
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := functions[name]
	if !ok {
		p.pos = start
		return nil, p.errorf("unknown function %q", name)
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("expected \"(\" after %s", name)
	}
	p.pos++
	args, err := p.arguments(depth)
	if err != nil {
		return nil, err
	}
	if len(args) < fn.minArgs || fn.maxArgs >= 0 && len(args) > fn.maxArgs {
		p.pos = start
		return nil, p.errorf("%s takes %s, got %d", name, fn.arity(), len(args))
	}
	return &Call{text: p.src[start:p.pos], name: name, fn: fn, args: args}, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// arguments reads a comma separated list up to and including the closing parenthesis.
func (p *parser) arguments(depth int) ([]node, error) {
	var args []node
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return args, nil
	}
	for {
		p.skipSpace()
		arg, err := p.argument(depth)
		if err != nil {
			return nil, err
		}
		args = append(args, arg)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("missing \")\"")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.errorf("expected \",\" or \")\", found %q", p.src[p.pos])
		}
	}
}

func (p *parser) argument(depth int) (node, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("missing argument")
	}
	rest := p.src[p.pos:]
	switch c := rest[0]; {
	case c == '\'':
		return p.stringLiteral()
	case c == '$':
		return p.path()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case strings.HasPrefix(rest, "States."):
		return p.call(depth + 1)
	}
	for _, word := range []struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(rest, word.text) && !startsName(rest[len(word.text):]) {
			p.pos += len(word.text)
			return literal{value: word.value}, nil
		}
	}
	return nil, p.errorf("unexpected %q where an argument was expected", rest[0])
}

func startsName(s string) bool { return s != "" && (isNameByte(s[0]) || s[0] == '_') }

// stringLiteral reads '...' where \' \{ \} \\ are escapes. An unknown escape keeps its
// backslash: AWS documents only those four.
func (p *parser) stringLiteral() (node, error) {
	p.pos++ // opening quote
	start := p.pos
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src):
			next := p.src[p.pos+1]
			if !isEscapable(next) {
				b.WriteByte(c)
			}
			b.WriteByte(next)
			p.pos += 2
		case c == '\'':
			raw := p.src[start:p.pos]
			p.pos++
			return literal{value: b.String(), raw: raw}, nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	p.pos = start - 1
	return nil, p.errorf("unterminated string literal")
}

func isEscapable(c byte) bool { return c == '\'' || c == '{' || c == '}' || c == '\\' }

// number reads a JSON number.
func (p *parser) number() (node, error) {
	start := p.pos
	end := start
	for end < len(p.src) && strings.IndexByte("+-.0123456789eE", p.src[end]) >= 0 {
		end++
	}
	var f float64
	if err := json.Unmarshal([]byte(p.src[start:end]), &f); err != nil {
		return nil, p.errorf("invalid number %q", p.src[start:end])
	}
	p.pos = end
	return literal{value: f}, nil
}

// path reads a path argument up to the "," or ")" that ends it; brackets, quotes and
// parentheses inside the path (filters, quoted names) do not end it.
func (p *parser) path() (node, error) {
	start := p.pos
	depth := 0
	var quote byte
scan:
	for ; p.pos < len(p.src); p.pos++ {
		c := p.src[p.pos]
		switch {
		case quote != 0:
			if c == '\\' {
				p.pos++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			if depth == 0 {
				break scan
			}
			depth--
		case c == ',' && depth == 0:
			break scan
		}
	}
	p.pos = min(p.pos, len(p.src)) // a trailing backslash inside quotes steps past the end
	text := strings.TrimRight(p.src[start:p.pos], " \t\r\n")
	if p.compile == nil {
		return nil, p.errorf("path %q cannot be used here", text)
	}
	ref, err := p.compile(text)
	if err != nil {
		p.pos = start
		return nil, p.errorf("invalid path %q: %v", text, err)
	}
	return reference{text: text, ref: ref}, nil
}
