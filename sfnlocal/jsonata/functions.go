package jsonata

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	mathrand "math/rand/v2"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Sources supplies the nondeterministic inputs of $random and $uuid, so that tests and replays
// can fix them. A nil field uses the real source.
type Sources struct {
	Random func() float64 // in [0, 1)
	UUID   func() string
}

// awsFunctions builds the functions Step Functions adds to JSONata ("JSONata functions provided
// by Step Functions"), bound under their names without the "$".
func awsFunctions(src Sources) map[string]*goFunction {
	if src.Random == nil {
		src.Random = mathrand.Float64
	}
	if src.UUID == nil {
		src.UUID = randomUUID
	}
	return map[string]*goFunction{
		"partition": &goFunction{name: "partition", call: partition},
		"range":     &goFunction{name: "range", call: rangeOf},
		"hash":      &goFunction{name: "hash", call: hashOf},
		"random":    &goFunction{name: "random", call: random(src.Random)},
		"uuid":      &goFunction{name: "uuid", call: func(args []any) (any, error) { return uuidOf(args, src.UUID) }},
		"parse":     &goFunction{name: "parse", call: parse},
	}
}

// Functions are AWS's functions bound to their sources, built once and shared by any
// number of evaluations (building them for each evaluation is measurable).
type Functions struct{ byName map[string]*goFunction }

// NewFunctions binds AWS's functions to src.
func NewFunctions(src Sources) *Functions { return &Functions{byName: awsFunctions(src)} }

// defaultFunctions serves every evaluation that does not override Sources.
var defaultFunctions = awsFunctions(Sources{})

// signatureError is JSONata's T0410, which AWS passes through in its causes.
func signatureError(arg int, function string) error {
	return fmt.Errorf("T0410: Argument %d of function %q does not match function signature", arg, function)
}

func checkArity(args []any, min, max int, function string) error {
	if len(args) > max {
		return signatureError(max+1, function)
	}
	if len(args) < min {
		return signatureError(len(args)+1, function)
	}
	return nil
}

// integerArg truncates a number towards zero, as AWS does for $range bounds (observed:
// $range(-1.2, 2.8, 1.9) is [-1, 0, 1, 2]).
func integerArg(args []any, i int, function string) (int64, error) {
	n, ok := args[i].(float64)
	if !ok || math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) >= 1<<53 {
		return 0, signatureError(i+1, function)
	}
	return int64(n), nil
}

// partition splits an array into chunks of size; the last chunk may be shorter. A non-array
// value is treated as a one-item array, as JSONata does for array parameters, and an undefined
// one gives undefined, as JSONata's own functions do.
func partition(args []any) (any, error) {
	if err := checkArity(args, 2, 2, "partition"); err != nil {
		return nil, err
	}
	if IsUndefined(args[0]) {
		return Undefined, nil
	}
	items, ok := args[0].([]any)
	if !ok {
		items = []any{args[0]}
	}
	size, err := integerArg(args, 1, "partition")
	if err != nil || size < 1 {
		return nil, fmt.Errorf("the chunk size argument of function $partition must be a positive integer, but was %v", args[1])
	}
	chunks := make([]any, 0, (int64(len(items))+size-1)/size)
	for start := int64(0); start < int64(len(items)); start += size {
		end := min(start+size, int64(len(items)))
		chunks = append(chunks, append([]any(nil), items[start:end]...))
	}
	return chunks, nil
}

// maxRangeItems bounds $range so that a careless expression cannot exhaust memory; JSONata's
// own range operator stops at 10 million items.
const maxRangeItems = 10_000_000

// rangeOf lists start, start+step, ... up to end inclusive. Its result is a JSONata sequence, as
// AWS shows: a single number comes out unwrapped ($range(1, 9, 9) is 1) and an empty range is
// undefined.
func rangeOf(args []any) (any, error) {
	if err := checkArity(args, 3, 3, "range"); err != nil {
		return nil, err
	}
	var bounds [3]int64
	for i := range bounds {
		n, err := integerArg(args, i, "range")
		if err != nil {
			return nil, err
		}
		bounds[i] = n
	}
	start, end, step := bounds[0], bounds[1], bounds[2]
	if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
		return Undefined, nil
	}
	count := (end-start)/step + 1
	if count > maxRangeItems {
		return nil, fmt.Errorf("the $range function would produce %d items, more than %d", count, maxRangeItems)
	}
	if count == 1 {
		return float64(start), nil
	}
	out := make([]any, count)
	for i := range out {
		out[i] = float64(start + int64(i)*step)
	}
	return out, nil
}

var hashAlgorithms = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// hashOf is the hex digest of a string with one of the algorithms States.Hash accepts.
func hashOf(args []any) (any, error) {
	if err := checkArity(args, 2, 2, "hash"); err != nil {
		return nil, err
	}
	if IsUndefined(args[0]) {
		return Undefined, nil
	}
	data, ok := args[0].(string)
	if !ok {
		return nil, signatureError(1, "hash")
	}
	name, ok := args[1].(string)
	if !ok {
		return nil, signatureError(2, "hash")
	}
	newHash, ok := hashAlgorithms[name]
	if !ok {
		return nil, fmt.Errorf("the hash algorithm %q is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", name)
	}
	h := newHash()
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// random returns a number in [0, 1); with a seed the number depends only on the seed. AWS does
// not document its generator, so seeded values are stable here but differ from AWS's.
func random(unseeded func() float64) func(args []any) (any, error) {
	return func(args []any) (any, error) {
		if err := checkArity(args, 0, 1, "random"); err != nil {
			return nil, err
		}
		if len(args) == 0 || IsUndefined(args[0]) {
			return unseeded(), nil
		}
		seed, err := integerArg(args, 0, "random")
		if err != nil {
			return nil, err
		}
		return mathrand.New(mathrand.NewPCG(uint64(seed), 0)).Float64(), nil
	}
}

func uuidOf(args []any, next func() string) (any, error) {
	if err := checkArity(args, 0, 0, "uuid"); err != nil {
		return nil, err
	}
	return next(), nil
}

// randomUUID is a version 4 UUID, as States.UUID and $uuid produce.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// parse decodes a JSON text into a value, replacing $eval, which Step Functions does not offer.
func parse(args []any) (any, error) {
	if err := checkArity(args, 1, 1, "parse"); err != nil {
		return nil, err
	}
	if IsUndefined(args[0]) {
		return Undefined, nil
	}
	text, ok := args[0].(string)
	if !ok {
		return nil, signatureError(1, "parse")
	}
	v, err := jsonvalue.ParseString(text)
	if err != nil {
		return nil, fmt.Errorf("the $parse function could not parse %q as JSON: %v", text, err)
	}
	return v, nil
}
