package simulated

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/dynamo"
	"github.com/faresaga/faresaga/internal/tables"
)

// dynamoStore keeps the simulated gateway's state in the PaymentGateway table,
// shared by every Lambda instance: authorisations under "auth#<code>" and idempotency
// records under "key#<key>".
type dynamoStore struct {
	db    dynamo.API
	table string
}

// NewDynamoStore returns a store in the PaymentGateway table named table.
func NewDynamoStore(db dynamo.API, table string) Store {
	return &dynamoStore{db: db, table: table}
}

func keyItemID(key string) string   { return "key#" + key }
func authItemID(code string) string { return "auth#" + code }

func (d *dynamoStore) idempotencyRecord(ctx context.Context, key string) (keyRecord, bool, error) {
	var rec keyRecord
	found, err := d.get(ctx, keyItemID(key), &rec)
	return rec, found, err
}

func (d *dynamoStore) authorization(ctx context.Context, code string) (State, bool, error) {
	var auth State
	found, err := d.get(ctx, authItemID(code), &auth)
	return auth, found, err
}

func (d *dynamoStore) get(ctx context.Context, id string, into any) (bool, error) {
	item, err := dynamo.GetItem(ctx, d.db, d.table, tables.PaymentGateway.PartitionKey, id)
	if err != nil || item == nil {
		return false, err
	}
	if err := attributevalue.UnmarshalMap(item, into); err != nil {
		return false, fmt.Errorf("decode gateway item %s: %w", id, err)
	}
	return true, nil
}

// commit writes both items in one transaction, so a key is never recorded without the
// change it made, nor a change without its key.
func (d *dynamoStore) commit(ctx context.Context, rec keyRecord, next State, expectedVersion int64) error {
	keyItem, err := d.item(keyItemID(rec.Key), rec)
	if err != nil {
		return err
	}
	authItem, err := d.item(authItemID(next.Code), next)
	if err != nil {
		return err
	}
	authPut := d.putIfNew(authItem)
	if expectedVersion > 0 {
		authPut.ConditionExpression = aws.String("#version = :expected")
		authPut.ExpressionAttributeNames = map[string]string{"#version": "version"}
		authPut.ExpressionAttributeValues = map[string]types.AttributeValue{
			":expected": &types.AttributeValueMemberN{Value: fmt.Sprint(expectedVersion)},
		}
	}
	_, err = d.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: d.putIfNew(keyItem)},
		{Put: authPut},
	}})
	if dynamo.LostConditionRace(err) {
		return errStoreConflict
	}
	return err
}

func (d *dynamoStore) putIfNew(item map[string]types.AttributeValue) *types.Put {
	return &types.Put{TableName: aws.String(d.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": tables.PaymentGateway.PartitionKey}}
}

func (d *dynamoStore) item(id string, value any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(value)
	if err != nil {
		return nil, fmt.Errorf("encode gateway item %s: %w", id, err)
	}
	item[tables.PaymentGateway.PartitionKey] = dynamo.String(id)
	return item, nil
}
