// Package chaos runs many sagas with faults injected at random at every layer, then
// checks, from the tables and the gateway's own records, the promises the saga makes:
// every fare ends completed, cancelled or needing attention (with an alert), money is
// conserved per customer, and nothing is lost or left running.
package chaos

import "sync/atomic"

// Kind is a kind of fault.
type Kind string

// The faults injected, layer by layer.
const (
	// Handlers, through the customerId switches (internal/faults).
	StepFails             Kind = "forward step fails for good"
	StepTransient         Kind = "forward step fails transiently"
	CompensationFails     Kind = "compensation fails for good"
	CompensationTransient Kind = "compensation fails transiently"
	LostResponse          Kind = "effect applied, response lost"
	// Between the engine and Lambda.
	DuplicateDelivery    Kind = "same Task delivered twice"
	TimeoutBeforeRunning Kind = "Lambda timeout, handler never ran"
	TimeoutAfterRunning  Kind = "Lambda timeout after the handler ran"
	LateDelivery         Kind = "Lambda timeout, handler runs late"
	// Between every client and DynamoDB.
	DynamoDBThrottling Kind = "DynamoDB throttling"
	// The saga's users.
	ConflictingStart Kind = "another execution for a taken fareId"
	CardDataInput    Kind = "an input carrying card data"
	// Operators.
	StoppedForward      Kind = "execution stopped in a forward step"
	StoppedCompensating Kind = "execution stopped while compensating"
	Outage              Kind = "compensation outage, over once resumed"
)

// Kinds lists every fault kind, for reports.
var Kinds = []Kind{StepFails, StepTransient, CompensationFails, CompensationTransient, LostResponse,
	DuplicateDelivery, TimeoutBeforeRunning, TimeoutAfterRunning, LateDelivery, DynamoDBThrottling, ConflictingStart, CardDataInput, StoppedForward, StoppedCompensating, Outage}

// Counts tallies injected faults, safe for concurrent use.
type Counts struct {
	counters map[Kind]*atomic.Int64
}

func newCounts() *Counts {
	c := &Counts{counters: map[Kind]*atomic.Int64{}}
	for _, k := range Kinds {
		c.counters[k] = &atomic.Int64{}
	}
	return c
}

func (c *Counts) add(k Kind) { c.counters[k].Add(1) }

// Snapshot returns the counts so far.
func (c *Counts) Snapshot() map[Kind]int64 {
	out := make(map[Kind]int64, len(c.counters))
	for k, v := range c.counters {
		out[k] = v.Load()
	}
	return out
}
