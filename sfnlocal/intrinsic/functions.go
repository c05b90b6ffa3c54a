package intrinsic

import "strconv"

// function is one States.* function: how many arguments it takes and what it does with
// their values.
type function struct {
	minArgs int
	maxArgs int // -1: any number
	impl    func(call *Call, args []any, env *Env) (any, error)
}

func (f *function) arity() string {
	switch {
	case f.maxArgs < 0:
		return "at least " + plural(f.minArgs)
	case f.minArgs == f.maxArgs:
		return plural(f.minArgs)
	default:
		return strconv.Itoa(f.minArgs) + " to " + plural(f.maxArgs)
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return strconv.Itoa(n) + " arguments"
}

// functions is filled in init because the implementations refer back to Call, whose
// parser refers to this table.
var functions map[string]*function

func init() {
	functions = map[string]*function{
		"States.Format":         {1, -1, format},
		"States.StringToJson":   {1, 1, stringToJSON},
		"States.JsonToString":   {1, 1, jsonToString},
		"States.Array":          {0, -1, array},
		"States.ArrayPartition": {2, 2, arrayPartition},
		"States.ArrayContains":  {2, 2, arrayContains},
		"States.ArrayRange":     {3, 3, arrayRange},
		"States.ArrayGetItem":   {2, 2, arrayGetItem},
		"States.ArrayLength":    {1, 1, arrayLength},
		"States.ArrayUnique":    {1, 1, arrayUnique},
		"States.Base64Encode":   {1, 1, base64Encode},
		"States.Base64Decode":   {1, 1, base64Decode},
		"States.Hash":           {2, 2, hashData},
		"States.JsonMerge":      {3, 3, jsonMerge},
		"States.MathRandom":     {2, 3, mathRandom},
		"States.MathAdd":        {2, 2, mathAdd},
		"States.StringSplit":    {2, 2, stringSplit},
		"States.UUID":           {0, 0, newUUID},
	}
}
