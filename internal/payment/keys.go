package payment

import (
	"crypto/sha256"
	"encoding/hex"
)

// Idempotency keys are derived from the fare alone, so every run of a step, a retry or a
// late duplicate, presents the same key and the gateway applies the operation once.
// Compensations that undo a late effect reuse voidKey and refundKey for the same reason.
func preauthKey(fareID string) string { return "preauth:" + fareID }
func captureKey(fareID string) string { return "capture:" + fareID }
func voidKey(fareID string) string    { return "void:" + fareID }
func refundKey(fareID string) string  { return "refund:" + fareID }

// derivedID is an identifier the simulated gateway gives what a request created. It is
// a hash of the idempotency key, so a replay yields the same id without randomness.
func derivedID(prefix, idempotencyKey string) string {
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

// AuthorizationKey is the idempotency key of a fare's pre-authorisation: with the
// gateway's Lookup it tells what really happened to the fare's payment.
func AuthorizationKey(fareID string) string { return preauthKey(fareID) }
