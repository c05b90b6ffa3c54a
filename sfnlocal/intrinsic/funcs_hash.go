package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"sort"
	"strings"
)

// hashAlgorithms are the algorithms States.Hash accepts, under AWS's names.
var hashAlgorithms = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

func hashAlgorithmNames() string {
	names := make([]string, 0, len(hashAlgorithms))
	for n := range hashAlgorithms {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func hashData(call *Call, args []any, _ *Env) (any, error) {
	data, err := limitedString(call, args, "data")
	if err != nil {
		return nil, err
	}
	name, err := stringArg(call, args, 1, "algorithm")
	if err != nil {
		return nil, err
	}
	newHash, ok := hashAlgorithms[name]
	if !ok {
		return nil, invalidArgument(call, "the algorithm must be one of %s, got %s", hashAlgorithmNames(), describe(name))
	}
	h := newHash()
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}
