package intrinsic

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// maxCodecInput is AWS's limit on the input of States.Base64Encode, Base64Decode and Hash.
const maxCodecInput = 10000

// stringSplit splits on any of the delimiter's characters and drops empty pieces, as
// AWS does (recorded: ", , ," split on "," is [" ", " "], ",,,," is []).
func stringSplit(call *Call, args []any, _ *Env) (any, error) {
	s, err := stringArg(call, args, 0, "string to split")
	if err != nil {
		return nil, err
	}
	delims, err := stringArg(call, args, 1, "delimiter")
	if err != nil {
		return nil, err
	}
	pieces := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(pieces))
	for i, p := range pieces {
		out[i] = p
	}
	return out, nil
}

func base64Encode(call *Call, args []any, _ *Env) (any, error) {
	s, err := limitedString(call, args, "string to encode")
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func base64Decode(call *Call, args []any, _ *Env) (any, error) {
	s, err := limitedString(call, args, "string to decode")
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return nil, invalidArgument(call, "the argument is not base64 encoded UTF-8 text: %s", describe(s))
	}
	return string(b), nil
}

// limitedString is the first argument as a string of at most maxCodecInput characters.
func limitedString(call *Call, args []any, role string) (string, error) {
	s, err := stringArg(call, args, 0, role)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(s); n > maxCodecInput {
		return "", invalidArgument(call, "the %s has %d characters, more than the %d allowed", role, n, maxCodecInput)
	}
	return s, nil
}
