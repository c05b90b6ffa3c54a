package dynamotest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndpointSpeaksTheWireProtocol(t *testing.T) {
	ctx := context.Background()
	db := Start(t).Client
	item := map[string]types.AttributeValue{"fareId": &types.AttributeValueMemberS{Value: "f1"}}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(fareId)")})
	require.NoError(t, err)

	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"), Item: item,
		ConditionExpression: aws.String("attribute_not_exists(fareId)")})
	var conditional *types.ConditionalCheckFailedException
	assert.True(t, errors.As(err, &conditional), "a failed condition must come back typed: %v", err)

	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("Fares"), Item: item, ConditionExpression: aws.String("attribute_not_exists(fareId)")}},
	}})
	var cancelled *types.TransactionCanceledException
	require.True(t, errors.As(err, &cancelled), "a failed transaction must come back typed: %v", err)
	require.Len(t, cancelled.CancellationReasons, 1)
	assert.Equal(t, "ConditionalCheckFailed", aws.ToString(cancelled.CancellationReasons[0].Code))
}
