package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func TestGuardAnswersBadRequestsAsDynamoDBDoes(t *testing.T) {
	ctx := context.Background()
	db := Start(t).Client
	many := make([]types.TransactWriteItem, 101)
	for i := range many {
		many[i] = types.TransactWriteItem{Put: &types.Put{TableName: aws.String("Fares"),
			Item: map[string]types.AttributeValue{"fareId": s(fmt.Sprint("f", i))}}}
	}
	tests := []struct {
		name    string
		call    func() error
		code    string
		message string
	}{
		{"a Query on an index the table does not have", func() error {
			_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("Fares"), IndexName: aws.String("NoSuchIndex"),
				KeyConditionExpression: aws.String("fareId = :f"), ExpressionAttributeValues: map[string]types.AttributeValue{":f": s("x")}})
			return err
		}, "ValidationException", "The table does not have the specified index: NoSuchIndex"},
		{"a transaction of 101 items", func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: many})
			return err
		}, "ValidationException", "Member must have length less than or equal to 100"},
		{"an item over 400 KB", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"),
				Item: map[string]types.AttributeValue{"fareId": s("big"), "blob": s(strings.Repeat("x", 500_000))}})
			return err
		}, "ValidationException", "Item size has exceeded the maximum allowed size"},
		{"a number that is not one", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"),
				Item: map[string]types.AttributeValue{"fareId": s("n"), "amount": &types.AttributeValueMemberN{Value: "12,50"}}})
			return err
		}, "ValidationException", "The parameter cannot be converted to a numeric value: 12,50"},
		{"a number beyond DynamoDB's range", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"),
				Item: map[string]types.AttributeValue{"fareId": s("n"), "amount": &types.AttributeValueMemberN{Value: "1e200"}}})
			return err
		}, "ValidationException", "Number overflow"},
		{"a number with 39 significant digits", func() error {
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Fares"), Key: map[string]types.AttributeValue{"fareId": s("n")},
				UpdateExpression: aws.String("SET amount = :a"), ExpressionAttributeValues: map[string]types.AttributeValue{
					":a": &types.AttributeValueMemberN{Value: strings.Repeat("9", 39)}}})
			return err
		}, "ValidationException", "more than 38 significant digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "want %s, got %v", tt.code, err)
			assert.Equal(t, tt.code, apiErr.ErrorCode())
			assert.Contains(t, apiErr.ErrorMessage(), tt.message)
		})
	}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Fares"),
		Item: map[string]types.AttributeValue{"fareId": s("ok"), "amount": &types.AttributeValueMemberN{Value: "-1.25E+3"}}})
	assert.NoError(t, err, "a valid number passes")
}

func TestGuardServesListTables(t *testing.T) {
	db := Start(t).Client
	out, err := db.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	assert.Equal(t, []string{"CustomerAccounts", "Fares", "PaymentGateway", "Payments"}, out.TableNames)
	page, err := db.ListTables(context.Background(), &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	require.NoError(t, err)
	assert.Equal(t, []string{"CustomerAccounts", "Fares"}, page.TableNames)
	rest, err := db.ListTables(context.Background(), &dynamodb.ListTablesInput{ExclusiveStartTableName: page.LastEvaluatedTableName})
	require.NoError(t, err)
	assert.Equal(t, []string{"PaymentGateway", "Payments"}, rest.TableNames)
}

func rawCall(t *testing.T, url, target, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", target)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, "the connection must never drop")
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

func TestGuardNeverDropsTheConnection(t *testing.T) {
	endpoint := Start(t)
	status, body := rawCall(t, endpoint.URL, "DynamoDB_20120810.PutItem", `{"TableName": `)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "SerializationException")
	status, body = rawCall(t, endpoint.URL, "DynamoDB_20120810.Frobnicate", `{}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "UnknownOperationException")

	panics := httptest.NewServer(Guard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("minidyn broke") })))
	defer panics.Close()
	status, body = rawCall(t, panics.URL, "DynamoDB_20120810.GetItem", `{"TableName":"Fares","Key":{}}`)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Contains(t, body, "InternalServerError")
}
