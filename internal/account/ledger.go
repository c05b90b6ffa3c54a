package account

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Reads are strongly consistent: the handlers decide from what they read, and a stale
// read would make a compensation miss a credit that had just landed.

// Balance is the customer's balance in currency, in minor units; 0 if never credited.
func (s *Service) Balance(ctx context.Context, customerID, currency string) (int64, error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            itemKey(customerID, BalanceEntryID(currency)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("read %s balance of customer %s: %w", currency, customerID, err)
	}
	var item struct {
		Balance int64 `dynamodbav:"balance"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &item); err != nil {
		return 0, fmt.Errorf("decode %s balance of customer %s: %w", currency, customerID, err)
	}
	return item.Balance, nil
}

// Entries lists the customer's ledger entries in entryId order (a fare's credit before
// its reversal); balance items are not entries.
func (s *Service) Entries(ctx context.Context, customerID string) ([]Entry, error) {
	return s.entriesWithPrefix(ctx, customerID, farePrefix)
}

// fareLedger is what the ledger holds for one fare; nil where there is no entry.
type fareLedger struct {
	credit, reversal *Entry
}

// foreign reports whether an entry of the fare belongs to another execution than owner.
func (l fareLedger) foreign(owner string) bool {
	return (l.credit != nil && l.credit.OwnerExecution != owner) || (l.reversal != nil && l.reversal.OwnerExecution != owner)
}

func (s *Service) readFareLedger(ctx context.Context, customerID, fareID string) (fareLedger, error) {
	entries, err := s.entriesWithPrefix(ctx, customerID, fareEntryPrefix(fareID))
	if err != nil {
		return fareLedger{}, err
	}
	var ledger fareLedger
	for i := range entries {
		switch entries[i].Kind {
		case KindCredit:
			ledger.credit = &entries[i]
		case KindReversal:
			ledger.reversal = &entries[i]
		}
	}
	return ledger, nil
}

func (s *Service) entriesWithPrefix(ctx context.Context, customerID, prefix string) ([]Entry, error) {
	pages := dynamodb.NewQueryPaginator(s.DB, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		KeyConditionExpression: aws.String("#pk = :customer AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": attrCustomerID,
			"#sk": attrEntryID,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":customer": &types.AttributeValueMemberS{Value: customerID},
			":prefix":   &types.AttributeValueMemberS{Value: prefix},
		},
		ConsistentRead: aws.Bool(true),
	})
	var entries []Entry
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query entries %s* of customer %s: %w", prefix, customerID, err)
		}
		var batch []Entry
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			return nil, fmt.Errorf("decode entries %s* of customer %s: %w", prefix, customerID, err)
		}
		entries = append(entries, batch...)
	}
	return entries, nil
}
