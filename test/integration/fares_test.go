package integration

import (
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"
)

// testFarePrefix starts every fareId and customerId the tests create, so that their
// rows and messages are told apart from anyone else's on a shared stack.
const testFarePrefix = "it-"

// runID makes this run's ids unique: execution names of a Standard workflow cannot be
// reused for 90 days, and deployed tables outlive a run.
var runID = strconv.FormatInt(time.Now().UnixNano(), 36)

// idSequence tells apart the ids of one run, which go test -count=N repeats.
var idSequence atomic.Int64

func uniqueID(scenario string) string {
	return testFarePrefix + runID + "-" + strconv.FormatInt(idSequence.Add(1), 10) + "-" + scenario
}

// fareID names a fare of a scenario; it is also the execution name.
func fareID(scenario string) string { return uniqueID(scenario) }

// customerID names a customer of a scenario; switches are failure switches such as
// "_fail_auth", which must end the id (scenario names use '-' so they never add one).
func customerID(scenario, switches string) string { return uniqueID(scenario) + switches }

// fare is a valid fare input.
type fare struct {
	FareID       string `json:"fareId"`
	CustomerID   string `json:"customerId"`
	Amount       int64  `json:"amount"`
	Currency     string `json:"currency"`
	PaymentToken string `json:"paymentToken"`
}

// newFare is a fare of 12.50 EUR.
func newFare(fareID, customerID string) fare {
	return fare{FareID: fareID, CustomerID: customerID, Amount: 1250, Currency: "EUR", PaymentToken: "tok_visa_4242"}
}

// JSON is the execution input.
func (f fare) JSON() string {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // five plain fields always encode
	}
	return string(b)
}
