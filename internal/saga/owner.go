package saga

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/faresaga/faresaga/internal/steperr"
)

// Execution identifies the Step Functions execution that runs a step, as the definition
// passes it from the context object ($states.context.Execution). It is the owner of every
// record the saga writes for its fare: an execution may write, and compensate, only the
// fare whose fareId is its own name, and only records that it created itself.
type Execution struct {
	// ID is the execution's ARN, which ends in its name.
	ID   string `json:"id"`
	Name string `json:"name"`
	// StartTime is the context object's Execution.StartTime, as Step Functions wrote it.
	// A redrive keeps it; a later execution that reuses the name (after Step Functions
	// forgot the first, 90 days after it closed) has another, so the pair tells the two
	// apart where the ARN alone would not.
	StartTime string `json:"startTime"`
}

// ContextTime is a time as the context object gives it ($states.context.Execution.
// StartTime): UTC, to the millisecond, with a Z. Whoever rebuilds an Execution from its
// ARN and start date (the watcher, from an EventBridge event) must write it this way for
// Owner to match what the execution's own steps wrote.
func ContextTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Owner is what records carry to say which execution wrote them. The definition builds
// the same string for its direct DynamoDB integrations:
//
//	$states.context.Execution.Id & '@' & $states.context.Execution.StartTime
func (e Execution) Owner() string { return e.ID + "@" + e.StartTime }

// OwnerToken is a short digest of Owner, for places with little room, such as the
// gateway's idempotency keys: two executions never share one, so neither can replay or
// cancel the other's payment.
func (e Execution) OwnerToken() string { return OwnerToken(e.Owner()) }

// OwnerToken is the token of an owner as records store it (Execution.Owner).
func OwnerToken(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return hex.EncodeToString(sum[:8])
}

// Owns reports whether this execution may act on the fare: the fareId is its name. The
// ARN must end in that name too, so a payload cannot claim one name and carry another
// execution's ARN.
func (e Execution) Owns(fareID string) bool {
	return fareID != "" && e.Name == fareID && strings.HasSuffix(e.ID, ":"+fareID) && e.StartTime != ""
}

// CheckOwnership refuses a step whose execution may not act on the fare: the payload
// carries no execution, or the execution's name is not the fareId. It is refused as
// invalid input, before anything is written. Neither name is echoed: a refused name may
// be anything a client typed, card numbers included.
func CheckOwnership(fare Fare, execution *Execution) error {
	switch {
	case execution == nil:
		return invalid("the step payload carries no execution: the state machine must pass $states.context.Execution")
	case !execution.Owns(fare.FareID):
		return invalid(`the execution name must equal the fare's "fareId": start each fare with its fareId as the execution name`)
	}
	return nil
}

// canonicalFare is the fare as every part of the saga writes it: the fields in a fixed
// order, nothing else.
type canonicalFare struct {
	FareID       string `json:"fareId"`
	CustomerID   string `json:"customerId"`
	Amount       int64  `json:"amount"`
	Currency     string `json:"currency"`
	PaymentToken string `json:"paymentToken"`
}

// Input is the fare as an execution input: the validated fields and nothing else, so
// that what a client sent beyond them never reaches the execution history.
func (f Fare) Input() string {
	out, _ := json.Marshal(canonicalFare{f.FareID, f.CustomerID, f.Amount, f.Currency, f.PaymentToken})
	return string(out)
}

// Digest identifies the fare's content (every field, the payment token included), so that
// a fare submitted again can be told from a different fare under the same fareId. Only
// the digest is stored, never the token.
func (f Fare) Digest() string {
	sum := sha256.Sum256([]byte(f.Input()))
	return hex.EncodeToString(sum[:])
}

// NotOwnedOutcome is a compensation's outcome when the records it would undo belong to
// another execution: it changed nothing.
const NotOwnedOutcome = "NOT_THIS_EXECUTIONS"

// NotAFareOutcome is CancelFare's outcome when its payload was never a valid fare (an
// execution started past the front door with bad input, whose RegisterFare never ran):
// nothing was written, and nothing of that input may be announced, since any of its
// fields may be card data.
const NotAFareOutcome = "NOT_A_FARE"

// NotOwned is the result of a compensation that found its fare's records owned by
// another execution and left them alone.
func NotOwned(fareID, what string) CompensationResult {
	return CompensationResult{FareID: fareID, Outcome: NotOwnedOutcome,
		Detail: what + " belongs to another execution; nothing was changed"}
}

// Conflict is the error of a forward step that found its fare's records owned by
// another execution. The state machine ends such an execution without compensating.
func Conflict(fareID, what string) error {
	return &steperr.FareConflict{FareID: fareID, Reason: what + " belongs to another execution"}
}
