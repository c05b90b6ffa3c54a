package intrinsic

// node is one argument of a call once parsed.
type node interface {
	eval(input any, env *Env) (any, error)
}

// literal is a string, number, boolean or null written in the expression.
type literal struct {
	value any
	// raw is a string literal as written between the quotes, escapes kept, because
	// States.Format gives "\{" and "\}" a meaning of their own.
	raw string
}

func (l literal) eval(any, *Env) (any, error) { return l.value, nil }

// reference is a path argument.
type reference struct {
	text string
	ref  Reference
}

func (r reference) eval(input any, env *Env) (any, error) {
	v, ok := r.ref.Resolve(input, env)
	if !ok {
		return nil, &PathNotFoundError{Path: r.text}
	}
	return v, nil
}

// Call is a parsed intrinsic function call, ready to be evaluated any number of times,
// concurrently too.
type Call struct {
	text string
	name string
	fn   *function
	args []node
}

// String returns the expression as written.
func (c *Call) String() string { return c.text }

// Name returns the function name, such as "States.Format".
func (c *Call) Name() string { return c.name }

// Eval evaluates the call with input as the value "$" refers to. Failures are
// *failure.Error (States.IntrinsicFailure for bad arguments) or *PathNotFoundError.
func (c *Call) Eval(input any, env *Env) (any, error) {
	if env == nil {
		env = &Env{}
	}
	return c.eval(input, env)
}

func (c *Call) eval(input any, env *Env) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		v, err := a.eval(input, env)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return c.fn.impl(c, args, env)
}
