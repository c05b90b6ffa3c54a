package simulated

import (
	"crypto/sha256"
	"encoding/hex"
)

// DerivedID is the identifier the simulated gateway gives what a request under
// idempotencyKey created ("auth" for an authorisation code, "ch", "void", "re"). It is
// a hash of the key, so a replay yields the same id without randomness.
func DerivedID(prefix, idempotencyKey string) string {
	sum := sha256.Sum256([]byte(idempotencyKey))
	return prefix + "_" + hex.EncodeToString(sum[:12])
}

// fingerprint identifies a request's content, so the gateway can tell a replay from a
// key reused for something else. Parts are separated by a byte no part contains. Only
// the hash is kept, never the parts: one of them is the payment token.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
