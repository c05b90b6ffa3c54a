// Package saga is the contract between the state machine and the services: the fare as
// it flows through the saga, the payload every step receives, and the validation of the
// execution input that RegisterFare performs before anything is written.
package saga

import (
	"encoding/json"
	"log/slog"

	"github.com/faresaga/faresaga/internal/money"
)

// Fare is a validated fare. The payment token is an opaque reference issued by the
// payment provider; card numbers never get this far (see ParseFare).
type Fare struct {
	FareID     string `json:"fareId"`
	CustomerID string `json:"customerId"`
	money.Money
	PaymentToken string `json:"paymentToken"`
}

// StepInput is the payload the state machine sends every Lambda. Fare stays raw so each
// step validates it itself: RegisterFare receives the execution input as it came.
type StepInput struct {
	Fare json.RawMessage `json:"fare"`
	// Attempt is Step Functions' retry count for the state ($states.context.State.RetryCount),
	// 0 on the first try. Steps log it; fault injection uses it to fail only early attempts.
	Attempt int `json:"attempt"`
	// RedriveCount is how often the execution was redriven ($states.context.Execution.
	// RedriveCount): how often an operator resumed the saga. Compensations receive it; the
	// outage switches use it to end an outage once the saga has been resumed.
	RedriveCount int `json:"redriveCount,omitempty"`
	// Failure is what made the saga compensate; compensations receive it, forward steps don't.
	Failure *Failure `json:"failure,omitempty"`
	// Execution is the execution running the step: the owner of what it writes.
	Execution *Execution `json:"execution,omitempty"`
}

// Failure names the state that failed and the error it failed with.
type Failure struct {
	State string `json:"state"`
	Error string `json:"error"`
	Cause string `json:"cause,omitempty"`
}

// CompensationResult is what a compensation returns: what it found and what it did.
type CompensationResult struct {
	FareID string `json:"fareId"`
	// Outcome is a short upper-case word such as REFUNDED, VOIDED or NOTHING_TO_REFUND.
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

// StepLogger returns the logger a step uses: JSON lines that all carry the fareId, the
// state and the attempt, so one fare's story can be read across every function's logs.
func StepLogger(base *slog.Logger, state, fareID string, attempt int) *slog.Logger {
	return base.With("fareId", fareID, "state", state, "attempt", attempt)
}
