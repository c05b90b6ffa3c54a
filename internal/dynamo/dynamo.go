// Package dynamo holds the few DynamoDB helpers that the payment service and the
// payment gateways' stores share: the part of the API they call, consistent reads by a
// string key, and telling a lost condition race from a real failure.
package dynamo

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// API is the part of the DynamoDB API these packages use; *dynamodb.Client implements
// it, and so can an instrumented wrapper.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// String is a string attribute value.
func String(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// GetItem reads one item by its string partition key, strongly consistent: every read
// here decides whether to act, so it must see the latest write. A missing item is nil.
func GetItem(ctx context.Context, db API, table, keyName, key string) (map[string]types.AttributeValue, error) {
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{keyName: String(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

// LostConditionRace reports whether a write failed because its condition no longer held,
// alone or inside a transaction, or because a concurrent transaction held the items.
func LostConditionRace(err error) bool {
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
