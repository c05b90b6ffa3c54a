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
