package account

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/tables"
)

// The CustomerAccounts table keeps everything about a customer under one partition, so
// that a credit, its balance change and the fence against a late credit can share one
// transaction and one Query reads a fare's whole story.
//
//	entryId                   attributes
//	BALANCE#<currency>        kind=BALANCE, currency, balance (N, minor units), updatedAt
//	FARE#<fareId>#CREDIT      kind=CREDIT, fareId, amount, currency, createdAt
//	FARE#<fareId>#REVERSAL    kind=REVERSAL, fareId, amount, currency, createdAt
//
// A reversal with amount 0 is a tombstone: the compensation found nothing to reverse and
// left the entry so that a late credit for the same fare is refused.
var (
	attrCustomerID = tables.CustomerAccounts.PartitionKey
	attrEntryID    = tables.CustomerAccounts.SortKey
)

const (
	attrBalance   = "balance"
	attrCurrency  = "currency"
	attrUpdatedAt = "updatedAt"
	attrKind      = "kind"

	// The kinds of item in a customer's partition: a balance per currency, and ledger
	// entries, which are written once and never change.
	KindBalance  = "BALANCE"
	KindCredit   = "CREDIT"
	KindReversal = "REVERSAL"

	balancePrefix = "BALANCE#"
	farePrefix    = "FARE#"
)

// Entry is a ledger entry: the credit of a fare, or its reversal. Its key tags must
// name the table's keys (a test checks they do).
type Entry struct {
	CustomerID string `json:"customerId" dynamodbav:"customerId"`
	EntryID    string `json:"entryId" dynamodbav:"entryId"`
	Kind       string `json:"kind" dynamodbav:"kind"`
	FareID     string `json:"fareId" dynamodbav:"fareId"`
	money.Money
	CreatedAt time.Time `json:"createdAt" dynamodbav:"createdAt"`
	// OwnerExecution is the execution that wrote the entry (saga.Execution.Owner): an
	// execution only ever reverses, or is fenced by, entries of its own.
	OwnerExecution string `json:"ownerExecution,omitempty" dynamodbav:"ownerExecution,omitempty"`
}

// IsTombstone reports whether a reversal only fences the fare: nothing was credited.
func (e Entry) IsTombstone() bool { return e.Kind == KindReversal && e.Amount == 0 }

// fareEntryPrefix ends with '#' so that fare "f-1" never matches the entries of "f-10"
// (fareIds cannot contain '#').
func fareEntryPrefix(fareID string) string { return farePrefix + fareID + "#" }

// FareEntryID is the entryId of a fare's ledger entry of a kind (KindCredit, KindReversal).
func FareEntryID(fareID, kind string) string { return fareEntryPrefix(fareID) + kind }

// BalanceEntryID is the entryId of a customer's balance in a currency.
func BalanceEntryID(currency string) string { return balancePrefix + currency }

func newEntry(customerID, fareID, kind string, amount money.Money, at time.Time, owner string) Entry {
	return Entry{
		CustomerID:     customerID,
		EntryID:        FareEntryID(fareID, kind),
		Kind:           kind,
		FareID:         fareID,
		Money:          amount,
		CreatedAt:      at.UTC(),
		OwnerExecution: owner,
	}
}

// itemKey is the primary key of one item of a customer's partition.
func itemKey(customerID, entryID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrCustomerID: &types.AttributeValueMemberS{Value: customerID},
		attrEntryID:    &types.AttributeValueMemberS{Value: entryID},
	}
}
