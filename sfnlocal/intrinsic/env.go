package intrinsic

// Variables are the workflow variables a state can read ($name).
type Variables interface {
	Lookup(name string) (any, bool)
}

// Random is the source States.MathRandom draws from when no seed is given;
// *math/rand/v2.Rand satisfies it.
type Random interface {
	Int64N(n int64) int64
}

// Env is what evaluation reads besides the value a path is applied to: the context
// object ($$), the workflow variables ($name) and the sources of non-determinism, which
// tests replace to get fixed results. The zero Env is usable.
type Env struct {
	Context any
	Vars    Variables
	// Random is used by States.MathRandom without a seed; nil means math/rand/v2's
	// global source. A *rand.Rand is not safe for concurrent use: give each
	// goroutine its own Env.
	Random Random
	// NewUUID generates States.UUID's result; nil means a random version 4 UUID.
	NewUUID func() string
}

// Reference is a compiled path argument ($.x, $$.x, $var.x).
type Reference interface {
	// Resolve returns the value the path selects in input, and false when it
	// selects nothing.
	Resolve(input any, env *Env) (any, bool)
}

// PathCompiler compiles the text of a path argument.
type PathCompiler func(path string) (Reference, error)

// PathNotFoundError reports a path argument that selects nothing. It is not a failure
// of its own: the caller knows which field held the expression and turns it into AWS's
// States.Runtime message naming that field.
type PathNotFoundError struct {
	Path string
}

func (e *PathNotFoundError) Error() string {
	return "the path '" + e.Path + "' could not be found in the input"
}
