package payment

// Idempotency keys are derived from the fare alone, so every run of a step, a retry or a
// late duplicate, presents the same key and the gateway applies the operation once.
// Compensations that undo a late effect reuse voidKey and refundKey for the same reason.
func preauthKey(fareID string) string { return "preauth:" + fareID }
func captureKey(fareID string) string { return "capture:" + fareID }
func voidKey(fareID string) string    { return "void:" + fareID }
func refundKey(fareID string) string  { return "refund:" + fareID }

// AuthorizationKey is the idempotency key of a fare's pre-authorisation: with the
// gateway's Lookup it tells what really happened to the fare's payment.
func AuthorizationKey(fareID string) string { return preauthKey(fareID) }
