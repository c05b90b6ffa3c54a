package payment

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/faresaga/faresaga/internal/saga"
)

// Idempotency keys are derived from the fare and the execution that owns it, so every run
// of a step in that execution, a retry or a late duplicate, presents the same key and the
// gateway applies the operation once; and an execution that is not the fare's owner (one
// that reused the name after Step Functions forgot the first) can neither replay nor
// cancel the owner's payment: its keys are its own. Compensations that undo a late effect
// reuse voidKey and refundKey for the same reason. A key is at most 8+80+1+16 characters,
// well under the 255 that gateways such as Stripe accept.
func gatewayKey(operation, fareID, ownerToken string) string {
	return operation + ":" + fareID + ":" + ownerToken
}

func (c stepCall) preauthKey() string { return gatewayKey("preauth", c.fare.FareID, c.ownerToken) }
func (c stepCall) captureKey() string { return gatewayKey("capture", c.fare.FareID, c.ownerToken) }
func (c stepCall) voidKey() string    { return gatewayKey("void", c.fare.FareID, c.ownerToken) }
func (c stepCall) refundKey() string  { return gatewayKey("refund", c.fare.FareID, c.ownerToken) }

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

// AuthorizationKey is the idempotency key of a fare's pre-authorisation by its owner (as
// the Fares record names it, saga.Execution.Owner): with the gateway's Lookup it tells
// what really happened to the fare's payment.
func AuthorizationKey(fareID, owner string) string {
	return gatewayKey("preauth", fareID, saga.OwnerToken(owner))
}
