package intrinsic

import (
	"math"
	"math/rand/v2"
)

func mathAdd(call *Call, args []any, _ *Env) (any, error) {
	a, err := int32Arg(call, args, 0, "first argument")
	if err != nil {
		return nil, err
	}
	b, err := int32Arg(call, args, 1, "second argument")
	if err != nil {
		return nil, err
	}
	return float64(a + b), nil
}

// int32Arg is a rounded argument in the range of a Java int, as AWS requires.
func int32Arg(call *Call, args []any, i int, role string) (int64, error) {
	n, err := roundedArg(call, args, i, role)
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, invalidArgument(call, "the %s must be between %d and %d, got %d", role, math.MinInt32, math.MaxInt32, n)
	}
	return n, nil
}

// mathRandom returns an integer in [start, end). With a seed the result is fixed for
// that seed, though not the number AWS's own generator would give.
func mathRandom(call *Call, args []any, env *Env) (any, error) {
	start, err := int32Arg(call, args, 0, "start")
	if err != nil {
		return nil, err
	}
	end, err := int32Arg(call, args, 1, "end")
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, invalidArgument(call, "the end (%d) must be greater than the start (%d)", end, start)
	}
	src := env.Random
	if len(args) == 3 {
		seed, err := int32Arg(call, args, 2, "seed")
		if err != nil {
			return nil, err
		}
		src = rand.New(rand.NewPCG(uint64(seed), 0))
	}
	if src == nil {
		return float64(start + rand.Int64N(end-start)), nil
	}
	return float64(start + src.Int64N(end-start)), nil
}
