package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// Outcome of a fare as the checks classify it.
const (
	OutcomeCompleted      = "COMPLETED"
	OutcomeCancelled      = "CANCELLED"
	OutcomeNeedsAttention = "NEEDS_ATTENTION"
	// OutcomeRefused: an input with card data, which nothing may have taken.
	OutcomeRefused = "REFUSED"
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
	resumes   int
}

func (v *verdict) violate(format string, args ...any) {
	v.violations = append(v.violations, fmt.Sprintf(format, args...))
}

// check reads the tables, the gateway and the topic after every saga of a shard has
// ended, and reports each broken promise.
func check(ctx context.Context, s *embedded.Stack, sagas []saga, run *shardRun) (verdict, error) {
	v := verdict{outcomes: map[string]int{}, attention: map[string]int{}}
	messages, err := messagesByFare(s)
	if err != nil {
		return v, err
	}
	ledgers := map[string][]account.Entry{}
	perCustomer := map[string]money{}
	var tableText string
	for _, f := range sagas {
		if f.cardData != nil {
			if tableText == "" {
				if tableText, err = everyItem(ctx, s); err != nil {
					return v, err
				}
			}
			checkCardData(f, run.results[f.fareID], run.refused[f.fareID], tableText, run.logs, messages[f.fareID], &v)
			v.outcomes[OutcomeRefused]++
			continue
		}
		if _, read := ledgers[f.customerID]; !read {
			entries, err := s.Services.Account.Entries(ctx, f.customerID)
			if err != nil {
				return v, err
			}
			ledgers[f.customerID] = entries
		}
		m, outcome, err := checkFare(ctx, s, f, run.results[f.fareID], ledgers[f.customerID], messages[f.fareID], &v)
		if err != nil {
			return v, err
		}
		v.resumes += run.resumes[f.fareID]
		if err := run.resumeErrors[f.fareID]; err != nil {
			v.violate("%s: %v", f.fareID, err)
		}
		if err := checkOwnership(ctx, s, f, run.owners[f.fareID], ledgers, &v); err != nil {
			return v, err
		}
		if f.conflict != nil {
			checkConflict(f, run.conflicts[f.fareID], &v)
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
func checkFare(ctx context.Context, s *embedded.Stack, f saga, result engine.Result, ledger []account.Entry, messages []outcomeMessage, v *verdict) (money, string, error) {
	var m money
	record, found, err := s.Services.Fare.Get(ctx, f.fareID)
	if err != nil {
		return m, "", err
	}
	auth, authorised, err := s.Services.Payment.Gateway.Lookup(ctx, payment.AuthorizationKey(f.fareID, record.OwnerExecution))
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
	checkMessages(f, record, messages, v)
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
		// A stop can come after CancelFare's effect: the fare is cancelled, the execution
		// aborted.
		if result.Status != engine.Failed && !(f.stop != nil && result.Status == engine.Aborted) {
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
		if result.Status == engine.Succeeded || result.Status == engine.Running || string(result.Status) != record.AttentionExecutionStatus {
			v.violate("%s: NEEDS_ATTENTION but the execution %s (%s), recorded as %s", f.fareID, result.Status, result.Error, record.AttentionExecutionStatus)
		}
		if record.AttentionState == "" {
			v.violate("%s: NEEDS_ATTENTION without the state that failed", f.fareID)
		}
		if f.broken == "" {
			v.violate("%s: still NEEDS_ATTENTION after %d resumes, with no compensation that fails for good (stuck at %s: %s %s)",
				f.fareID, record.Resumes, record.AttentionState, record.AttentionExecutionStatus, record.AttentionError)
		}
		v.attention[record.AttentionState+": "+record.AttentionError]++
		return m, OutcomeNeedsAttention, nil
	}
	v.violate("%s: ended %s (execution %s %s)", f.fareID, record.Status, result.Status, result.Error)
	return m, string(record.Status), nil
}

// checkMessages checks what the topic said about a fare against how it ended. Each time a
// run of its execution left the fare unfinished, an operator was alerted; a fare resumed
// and then finished was announced as it ended, after its alerts; and nothing announced a
// status the fare does not have.
func checkMessages(f saga, record fare.Record, messages []outcomeMessage, v *verdict) {
	alerts, announced := 0, false
	said := make([]string, len(messages))
	for i, m := range messages {
		said[i] = m.status
		switch {
		case m.alert:
			alerts++
			said[i] = "alert"
		case m.status == string(record.Status):
			announced = true
		}
	}
	context := fmt.Sprintf("[messages %v; resumed %d times; last stuck at %s %s]",
		said, record.Resumes, record.AttentionState, record.AttentionExecutionStatus)
	for _, m := range messages {
		if !m.alert && m.status != string(record.Status) {
			v.violate("%s: ended %s, but a message announced it %s %s", f.fareID, record.Status, m.status, context)
		}
	}
	last := len(messages) - 1
	switch {
	case record.Status == fare.NeedsAttention && (last < 0 || !messages[last].alert):
		v.violate("%s: NEEDS_ATTENTION, but the last message was no alert %s", f.fareID, context)
	case record.Status == fare.NeedsAttention:
	case !announced:
		v.violate("%s: ended %s, and nothing announced it %s", f.fareID, record.Status, context)
	case messages[last].alert:
		v.violate("%s: ended %s, but the last message was an alert %s", f.fareID, record.Status, context)
	case alerts > 0 && record.Resumes == 0:
		v.violate("%s: alerted, then ended %s without being resumed %s", f.fareID, record.Status, context)
	}
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

// everyItem is every item of every table, as text, to look for what must not be there.
// It reads with a client of its own, with the SDK's retries: the stack's lets throttling
// through on the first attempt, which is for the sagas, not for the checks.
func everyItem(ctx context.Context, s *embedded.Stack) (string, error) {
	client := dynamotest.NewClient(s.DynamoDBURL)
	var b strings.Builder
	for _, spec := range tables.All() {
		pages := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(spec.Name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return "", fmt.Errorf("scan %s: %w", spec.Name, err)
			}
			for _, item := range page.Items {
				var decoded map[string]any
				if err := attributevalue.UnmarshalMap(item, &decoded); err != nil {
					return "", err
				}
				fmt.Fprintln(&b, decoded)
			}
		}
	}
	return b.String(), nil
}

// outcomeMessage is what the topic said about a fare.
type outcomeMessage struct {
	status string
	alert  bool // NeedsAttention=true: an operator was alerted
}

// messagesByFare reads every message the topic received, by fareId.
func messagesByFare(s *embedded.Stack) (map[string][]outcomeMessage, error) {
	byFare := map[string][]outcomeMessage{}
	for _, m := range s.Topic.Messages() {
		var body struct {
			FareID string `json:"fareId"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(m.Message), &body); err != nil {
			return nil, fmt.Errorf("a fare outcome that is not JSON: %w", err)
		}
		byFare[body.FareID] = append(byFare[body.FareID], outcomeMessage{
			status: body.Status, alert: m.MessageAttributes["NeedsAttention"].StringValue == "true"})
	}
	return byFare, nil
}

// checkOwnership checks that every record of the fare names the fare's execution as its
// owner: no other execution wrote any of them.
func checkOwnership(ctx context.Context, s *embedded.Stack, f saga, owner string, ledgers map[string][]account.Entry, v *verdict) error {
	record, found, err := s.Services.Fare.Get(ctx, f.fareID)
	if err != nil {
		return err
	}
	if found && record.OwnerExecution != owner {
		v.violate("%s: the Fares record is owned by %q, not by the fare's execution", f.fareID, record.OwnerExecution)
	}
	payment, found, err := s.Services.Payment.Get(ctx, f.fareID)
	if err != nil {
		return err
	}
	if found && payment.OwnerExecution != owner {
		v.violate("%s: the Payments record is owned by %q, not by the fare's execution", f.fareID, payment.OwnerExecution)
	}
	for customer, entries := range ledgers {
		for _, e := range entries {
			if e.FareID == f.fareID && e.OwnerExecution != owner {
				v.violate("%s: ledger entry %s of customer %s is owned by %q, not by the fare's execution", f.fareID, e.EntryID, customer, e.OwnerExecution)
			}
		}
	}
	return nil
}
