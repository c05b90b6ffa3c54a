package dynamo

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/tables"
)

func TestGetItemAndLostConditionRaceOnTheWire(t *testing.T) {
	ctx := context.Background()
	db := dynamotest.Start(t).Client
	table := tables.PaymentGateway.Name
	item := map[string]types.AttributeValue{"id": String("a"), "n": String("1")}
	putIfNew := &dynamodb.PutItemInput{TableName: aws.String(table), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(id)")}

	missing, err := GetItem(ctx, db, table, "id", "a")
	require.NoError(t, err)
	assert.Nil(t, missing)

	_, err = db.PutItem(ctx, putIfNew)
	require.NoError(t, err)
	got, err := GetItem(ctx, db, table, "id", "a")
	require.NoError(t, err)
	assert.Equal(t, item, got)

	_, err = db.PutItem(ctx, putIfNew)
	assert.True(t, LostConditionRace(err), "a failed condition: %v", err)
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: putIfNew.TableName, Item: item, ConditionExpression: putIfNew.ConditionExpression}},
	}})
	assert.True(t, LostConditionRace(err), "a failed condition inside a transaction: %v", err)

	_, err = GetItem(ctx, db, "NoSuchTable", "id", "a")
	require.Error(t, err)
	assert.False(t, LostConditionRace(err), "a missing table is a real failure")
	assert.False(t, LostConditionRace(errors.New("connection reset")))
	assert.False(t, LostConditionRace(nil))
}
