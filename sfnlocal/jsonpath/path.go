package jsonpath

import (
	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// rootKind is what a path starts from.
type rootKind uint8

const (
	rootInput    rootKind = iota // $
	rootContext                  // $$
	rootVariable                 // $name
)

// Path is a compiled path, safe for concurrent use.
type Path struct {
	text     string
	root     rootKind
	variable string
	segments []segment
	definite bool
}

// Root is the path "$", what an absent InputPath, OutputPath or ResultPath means.
var Root = &Path{text: "$", definite: true}

// Compile compiles a path: $..., $$... or $name.... Paths with wildcards, slices, unions,
// filters or ".." are queries whose value is the array of every match.
func Compile(text string) (*Path, error) {
	p := &pathParser{src: text}
	return p.parse()
}

// MustCompile is Compile for paths known to be valid; it panics otherwise.
func MustCompile(text string) *Path {
	p, err := Compile(text)
	if err != nil {
		panic(err)
	}
	return p
}

// CompileReference compiles a reference path, which names exactly one place in the
// state input: ResultPath is one.
func CompileReference(text string) (*Path, error) {
	p, err := Compile(text)
	if err != nil {
		return nil, err
	}
	if !p.IsReference() {
		return nil, &SyntaxError{Path: text, Msg: "a reference path must start with \"$\" and use only field names and array indexes"}
	}
	return p, nil
}

// String returns the path as written.
func (p *Path) String() string { return p.text }

// IsDefinite reports whether the path selects at most one value; otherwise its value is
// the array of all matches.
func (p *Path) IsDefinite() bool { return p.definite }

// IsReference reports whether the path is a reference path into the input.
func (p *Path) IsReference() bool { return p.definite && p.root == rootInput }

// Lookup returns what the path selects and whether it selects anything. A query
// (IsDefinite false) always succeeds, with an empty array when nothing matches, as AWS
// does (recorded: "$.items[*]" on {} is []).
func (p *Path) Lookup(input any, env *Env) (any, bool) {
	v, m := p.find(input, env)
	return v, m == nil
}

// Resolve is Lookup; it makes *Path an intrinsic.Reference.
func (p *Path) Resolve(input any, env *Env) (any, bool) { return p.Lookup(input, env) }

// Eval returns what the path selects, failing with States.Runtime and AWS's message
// when it selects nothing (for example "Invalid path '$.x' : No results for path:
// $['x']"). Use it for InputPath, OutputPath, ItemsPath and the other *Path fields.
func (p *Path) Eval(input any, env *Env) (any, error) {
	v, m := p.find(input, env)
	if m != nil {
		return nil, failure.New(failure.Runtime, "Invalid path '%s' : %s", p.text, m.describe(p))
	}
	return v, nil
}

// find starts from the path's root and walks it.
func (p *Path) find(input any, env *Env) (any, *miss) {
	start, ok := p.start(input, env)
	if !ok {
		return nil, &miss{kind: missVariable}
	}
	if p.definite {
		return walk(start, p.segments)
	}
	return collect(start, start, p.segments, env, make([]any, 0, 4)), nil
}

func (p *Path) start(input any, env *Env) (any, bool) {
	switch p.root {
	case rootContext:
		if env == nil {
			return nil, true
		}
		return env.Context, true
	case rootVariable:
		if env == nil || env.Vars == nil {
			return nil, false
		}
		return env.Vars.Lookup(p.variable)
	}
	return input, true
}
