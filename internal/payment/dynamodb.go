package payment

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDB is the part of the DynamoDB API this package uses; *dynamodb.Client
// implements it, and so can an instrumented wrapper.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ DynamoDB = (*dynamodb.Client)(nil)

func stringValue(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// getItem reads one item by its string partition key, strongly consistent: every read
// here decides whether to act, so it must see the latest write.
func getItem(ctx context.Context, db DynamoDB, table, keyName, key string) (map[string]types.AttributeValue, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{keyName: stringValue(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// lostConditionRace reports whether a write failed because its condition no longer held,
// alone or inside a transaction, or because a concurrent transaction held the items.
func lostConditionRace(err error) bool {
	var failed *types.ConditionalCheckFailedException
	var conflict *types.TransactionConflictException
	if errors.As(err, &failed) || errors.As(err, &conflict) {
		return true
	}
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		return false
	}
	for _, reason := range cancelled.CancellationReasons {
		switch aws.ToString(reason.Code) {
		case "ConditionalCheckFailed", "TransactionConflict":
			return true
		}
	}
	return false
}
