package payment

import "github.com/faresaga/faresaga/internal/saga"

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

// AuthorizationKey is the idempotency key of a fare's pre-authorisation by its owner (as
// the Fares record names it, saga.Execution.Owner): with the gateway's Lookup it tells
// what really happened to the fare's payment.
func AuthorizationKey(fareID, owner string) string {
	return gatewayKey("preauth", fareID, saga.OwnerToken(owner))
}
