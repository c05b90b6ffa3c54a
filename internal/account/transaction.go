package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

// maxTries bounds how often a handler writes again after its transaction lost a race.
// Every entry a race can add is added once (a credit, a reversal), so an honest race
// settles in two or three tries; more means sustained contention on the balance item,
// which Step Functions' Retry backs off from better than a loop inside one invocation.
const maxTries = 5

// errStateChanged: another writer touched the fare's items between our read and our
// write, or at the same time. Reading the ledger again and deciding again settles it.
var errStateChanged = errors.New("the ledger changed during the transaction")

// untilSettled runs try again while it reports errStateChanged, at most maxTries times,
// then gives up with Throttled: a transient error the state machine retries later.
func untilSettled[T any](log *slog.Logger, operation string, try func() (T, error)) (T, error) {
	for n := 1; n <= maxTries; n++ {
		result, err := try()
		if !errors.Is(err, errStateChanged) {
			return result, err
		}
		log.Info("ledger changed during the transaction; deciding again", "try", n, "maxTries", maxTries)
	}
	var zero T
	return zero, &steperr.Throttled{Operation: operation + " (transactions kept conflicting)"}
}

// Cancellation reason codes DynamoDB reports per transaction item.
const (
	reasonConditionFailed     = "ConditionalCheckFailed"
	reasonTransactionConflict = "TransactionConflict"
	reasonThrottling          = "ThrottlingError"
	reasonThroughputExceeded  = "ProvisionedThroughputExceeded"
)

// cancellation is why DynamoDB refused a transaction: one reason code per item, in the
// order of the request ("None" for items that were fine).
type cancellation []string

func cancellationOf(err error) (cancellation, bool) {
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		return nil, false
	}
	codes := make(cancellation, len(cancelled.CancellationReasons))
	for i, reason := range cancelled.CancellationReasons {
		codes[i] = aws.ToString(reason.Code)
	}
	return codes, true
}

func (c cancellation) conditionFailed(item int) bool {
	return item < len(c) && c[item] == reasonConditionFailed
}

func (c cancellation) has(code string) bool { return slices.Contains(c, code) }

// unlessCondition is the error for a cancellation whose failed conditions, if any, the
// caller has already dealt with: contention is retried, throttling is reported as such,
// the rest is a bug to look at.
func (c cancellation) unlessCondition(operation string) error {
	switch {
	case c.has(reasonTransactionConflict):
		return errStateChanged
	case c.has(reasonThrottling), c.has(reasonThroughputExceeded):
		return &steperr.Throttled{Operation: operation}
	}
	return &steperr.UnexpectedError{Operation: operation, Detail: fmt.Sprintf("transaction cancelled %v", []string(c))}
}

func (s *Service) transact(ctx context.Context, items []types.TransactWriteItem) error {
	_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

// putNewEntry writes a ledger entry that must not exist yet: entries are written once
// and never changed, which is what makes every handler safe to run again.
func (s *Service) putNewEntry(entry Entry) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(entry)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("encode entry %s: %w", entry.EntryID, err)
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                aws.String(s.Table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": attrEntryID},
	}}, nil
}

// addToBalance changes the balance by delta with ADD, which needs no read and no
// condition: concurrent credits of one customer each add their own amount, and the
// first one creates the balance item.
func (s *Service) addToBalance(customerID string, delta money.Money, at time.Time) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName:        aws.String(s.Table),
		Key:              itemKey(customerID, BalanceEntryID(delta.Currency)),
		UpdateExpression: aws.String("SET #kind = :kind, #currency = :currency, #updatedAt = :now ADD #balance :delta"),
		ExpressionAttributeNames: map[string]string{
			"#kind":      attrKind,
			"#currency":  attrCurrency,
			"#updatedAt": attrUpdatedAt,
			"#balance":   attrBalance,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":kind":     &types.AttributeValueMemberS{Value: KindBalance},
			":currency": &types.AttributeValueMemberS{Value: delta.Currency},
			":now":      &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)},
			":delta":    &types.AttributeValueMemberN{Value: fmt.Sprint(delta.Amount)},
		},
	}}
}

// entryPresence is what a ConditionCheck requires of an entry.
type entryPresence bool

const (
	mustExist    entryPresence = true
	mustBeAbsent entryPresence = false
)

// checkEntry makes the transaction depend on an entry it does not write.
func (s *Service) checkEntry(customerID, entryID string, presence entryPresence) types.TransactWriteItem {
	condition := "attribute_not_exists(#sk)"
	if presence == mustExist {
		condition = "attribute_exists(#sk)"
	}
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                aws.String(s.Table),
		Key:                      itemKey(customerID, entryID),
		ConditionExpression:      aws.String(condition),
		ExpressionAttributeNames: map[string]string{"#sk": attrEntryID},
	}}
}
