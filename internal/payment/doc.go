// Package payment is the payment service of the fare-collection saga: the Lambda
// handlers PreAuthorizePayment and ChargeFare (forward) and RefundFare and
// VoidPreAuthorization (compensations) and the Payments table they keep. They talk to a
// payment gateway through internal/gateway (the simulated one by default, or Stripe).
//
// The gateway is the source of truth for money; the Payments table is our record of it.
// Step Functions may run any step more than once, and a step may fail after the gateway
// acted (the response was lost), so:
//   - every gateway call carries an idempotency key derived from the fare and the
//     operation, and a replay returns the first result without a second effect;
//   - compensations ask the gateway what really happened (Lookup) instead of trusting
//     the table, and undo whatever they find;
//   - every table write is conditional, so a forward step that arrives after its
//     compensation notices, undoes its own late effect and returns
//     FareAlreadyCompensated.
//
// Payment tokens are passed to the gateway and nowhere else: never logged, never stored.
package payment
