package chaos

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// Outcome of a fare as the checks classify it.
const (
	OutcomeCompleted      = "COMPLETED"
	OutcomeCancelled      = "CANCELLED"
	OutcomeNeedsAttention = "NEEDS_ATTENTION"
)

// money is what happened to one fare's money, from the gateway and the ledger.
type money struct {
	captured, refunded, credited, reversed int64
}

// verdict is the checks' finding for a shard.
type verdict struct {
	outcomes   map[string]int
	violations []string
	// attention counts the fares needing attention by the compensation and the error
	// that could not be overcome: all should come from a failure switch.
	attention map[string]int
}

func (v *verdict) violate(format string, args ...any) {
	v.violations = append(v.violations, fmt.Sprintf(format, args...))
}

// check reads the tables, the gateway and the topic after every saga of a shard has
// ended, and reports each broken promise.
func check(ctx context.Context, s *embedded.Stack, sagas []saga, results map[string]engine.Result) (verdict, error) {
	v := verdict{outcomes: map[string]int{}, attention: map[string]int{}}
	alerts, err := alertedFares(s)
	if err != nil {
		return v, err
	}
	ledgers := map[string][]account.Entry{}
	perCustomer := map[string]money{}
	for _, f := range sagas {
		if _, read := ledgers[f.customerID]; !read {
			entries, err := s.Services.Account.Entries(ctx, f.customerID)
			if err != nil {
				return v, err
			}
			ledgers[f.customerID] = entries
		}
		m, outcome, err := checkFare(ctx, s, f, results[f.fareID], ledgers[f.customerID], alerts[f.fareID], &v)
		if err != nil {
			return v, err
		}
		v.outcomes[outcome]++
		if outcome != OutcomeNeedsAttention { // an operator settles those: they are alerted
			c := perCustomer[f.customerID]
			c.captured, c.refunded = c.captured+m.captured, c.refunded+m.refunded
			c.credited, c.reversed = c.credited+m.credited, c.reversed+m.reversed
			perCustomer[f.customerID] = c
		}
	}
	for customer, c := range perCustomer {
		if c.captured-c.refunded != c.credited-c.reversed {
			v.violate("customer %s: money not conserved: captured %d - refunded %d != credited %d - reversed %d",
				customer, c.captured, c.refunded, c.credited, c.reversed)
		}
	}
	for customer, entries := range ledgers {
		if err := checkBalance(ctx, s, customer, entries, &v); err != nil {
			return v, err
		}
	}
	return v, nil
}

// checkFare checks one fare's end and returns what happened to its money.
func checkFare(ctx context.Context, s *embedded.Stack, f saga, result engine.Result, ledger []account.Entry, alerted bool, v *verdict) (money, string, error) {
	var m money
	record, found, err := s.Services.Fare.Get(ctx, f.fareID)
	if err != nil {
		return m, "", err
	}
	auth, authorised, err := s.Services.Payment.Gateway.Lookup(ctx, payment.AuthorizationKey(f.fareID))
	if err != nil {
		return m, "", err
	}
	if authorised {
		switch auth.Status {
		case gateway.StatusCaptured:
			m.captured = auth.Amount.Amount
		case gateway.StatusRefunded:
			m.captured, m.refunded = auth.Amount.Amount, auth.Amount.Amount
		}
	}
	credits, reversals := 0, 0
	for _, e := range ledger {
		switch {
		case e.FareID != f.fareID:
		case e.Kind == account.KindCredit:
			credits++
			m.credited += e.Amount
		case e.Kind == account.KindReversal:
			reversals++
			m.reversed += e.Amount
		}
	}
	if credits > 1 || reversals > 1 {
		v.violate("%s: %d credits and %d reversals in the ledger", f.fareID, credits, reversals)
	}
	switch {
	case result.Status == engine.Running || result.Status == "":
		v.violate("%s: the execution never ended (%s)", f.fareID, result.Status)
		return m, "RUNNING", nil
	case !found:
		v.violate("%s: the fare is lost: no record in Fares (execution %s %s)", f.fareID, result.Status, result.Error)
		return m, "LOST", nil
	}
	if alerted != (record.Status == fare.NeedsAttention) {
		v.violate("%s: status %s but alerted=%v", f.fareID, record.Status, alerted)
	}
	switch record.Status {
	case fare.Completed:
		if result.Status != engine.Succeeded {
			v.violate("%s: COMPLETED but the execution %s (%s)", f.fareID, result.Status, result.Error)
		}
		if m.captured != f.amount || m.refunded != 0 {
			v.violate("%s: COMPLETED but the gateway holds %v (captured %d, refunded %d, want %d captured)", f.fareID, auth.Status, m.captured, m.refunded, f.amount)
		}
		if m.credited != f.amount || reversals != 0 {
			v.violate("%s: COMPLETED but credited %d with %d reversals, want %d credited once", f.fareID, m.credited, reversals, f.amount)
		}
		return m, OutcomeCompleted, nil
	case fare.Cancelled:
		if result.Status != engine.Failed || result.Error == "CompensationFailed" {
			v.violate("%s: CANCELLED but the execution %s (%s)", f.fareID, result.Status, result.Error)
		}
		if authorised && !auth.Status.Final() {
			v.violate("%s: CANCELLED but the authorisation is %s", f.fareID, auth.Status)
		}
		if m.captured != m.refunded {
			v.violate("%s: CANCELLED with a net charge of %d", f.fareID, m.captured-m.refunded)
		}
		if m.credited != m.reversed {
			v.violate("%s: CANCELLED with a net credit of %d", f.fareID, m.credited-m.reversed)
		}
		return m, OutcomeCancelled, nil
	case fare.NeedsAttention:
		if result.Status != engine.Failed || result.Error != "CompensationFailed" {
			v.violate("%s: NEEDS_ATTENTION but the execution %s (%s)", f.fareID, result.Status, result.Error)
		}
		if record.AttentionState == "" {
			v.violate("%s: NEEDS_ATTENTION without the state that failed", f.fareID)
		}
		v.attention[record.AttentionState+": "+record.AttentionError]++
		return m, OutcomeNeedsAttention, nil
	}
	v.violate("%s: ended %s (execution %s %s)", f.fareID, record.Status, result.Status, result.Error)
	return m, string(record.Status), nil
}

// checkBalance checks that a customer's balance is the sum of their ledger entries.
func checkBalance(ctx context.Context, s *embedded.Stack, customer string, entries []account.Entry, v *verdict) error {
	var sum int64
	for _, e := range entries {
		switch e.Kind {
		case account.KindCredit:
			sum += e.Amount
		case account.KindReversal:
			sum -= e.Amount
		}
	}
	balance, err := s.Services.Account.Balance(ctx, customer, "EUR")
	if err != nil {
		return err
	}
	if balance != sum {
		v.violate("customer %s: balance %d, but the ledger entries add up to %d", customer, balance, sum)
	}
	return nil
}

// alertedFares are the fares an operator was alerted about (NeedsAttention=true).
func alertedFares(s *embedded.Stack) (map[string]bool, error) {
	alerted := map[string]bool{}
	for _, m := range s.Topic.Messages() {
		if m.MessageAttributes["NeedsAttention"].StringValue != "true" {
			continue
		}
		var body struct {
			FareID string `json:"fareId"`
		}
		if err := json.Unmarshal([]byte(m.Message), &body); err != nil {
			return nil, fmt.Errorf("an alert that is not JSON: %w", err)
		}
		alerted[body.FareID] = true
	}
	return alerted, nil
}
