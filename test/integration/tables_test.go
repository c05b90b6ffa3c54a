package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
)

// The rows are read with the table contract the README documents, not the services'
// own record types: these tests see the tables as an operator would.

// fareRow is a Fares item.
type fareRow struct {
	FareID         string `dynamodbav:"fareId"`
	Status         string `dynamodbav:"status"`
	Amount         int64  `dynamodbav:"amount"`
	FailedState    string `dynamodbav:"failedState"`
	FailureError   string `dynamodbav:"failureError"`
	AttentionState string `dynamodbav:"attentionState"`
	AttentionError string `dynamodbav:"attentionError"`
	// AttentionExecutionStatus is how the execution stopped: FAILED, ABORTED, TIMED_OUT.
	AttentionExecutionStatus string `dynamodbav:"attentionExecutionStatus"`
	Resumes                  int    `dynamodbav:"resumes"`
}

// paymentRow is a Payments item.
type paymentRow struct {
	FareID string `dynamodbav:"fareId"`
	Status string `dynamodbav:"status"`
	Amount int64  `dynamodbav:"amount"`
}

// accountEntry is a CustomerAccounts item: a balance or a ledger entry.
type accountEntry struct {
	EntryID string `dynamodbav:"entryId"`
	Kind    string `dynamodbav:"kind"`
	FareID  string `dynamodbav:"fareId"`
	Amount  int64  `dynamodbav:"amount"`
	Balance int64  `dynamodbav:"balance"`
}

// account is a customer's partition of CustomerAccounts, by entryId.
type account map[string]accountEntry

// balance is the customer's balance in a currency; no balance item means 0.
func (a account) balance(currency string) int64 { return a["BALANCE#"+currency].Balance }

// fareEntries are the ledger entries of one fare, by kind (CREDIT, REVERSAL).
func (a account) fareEntries(fareID string) map[string]accountEntry {
	entries := map[string]accountEntry{}
	prefix := "FARE#" + fareID + "#"
	for id, entry := range a {
		if kind, ok := strings.CutPrefix(id, prefix); ok {
			entries[kind] = entry
		}
	}
	return entries
}

func getItem[T any](t *testing.T, tg *Target, table, key, value string) (T, bool) {
	t.Helper()
	var row T
	out, err := tg.DynamoDB.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]dbtypes.AttributeValue{key: &dbtypes.AttributeValueMemberS{Value: value}},
		ConsistentRead: aws.Bool(true),
	})
	require.NoError(t, err, "get %s from %s", value, table)
	if out.Item == nil {
		return row, false
	}
	require.NoError(t, attributevalue.UnmarshalMap(out.Item, &row))
	return row, true
}

func readFare(t *testing.T, tg *Target, fareID string) (fareRow, bool) {
	t.Helper()
	return getItem[fareRow](t, tg, tg.Tables.Fares, "fareId", fareID)
}

func readPayment(t *testing.T, tg *Target, fareID string) (paymentRow, bool) {
	t.Helper()
	return getItem[paymentRow](t, tg, tg.Tables.Payments, "fareId", fareID)
}

// readAccount reads every item of a customer's partition, page by page.
func readAccount(t *testing.T, tg *Target, customerID string) account {
	t.Helper()
	entries := account{}
	pages := dynamodb.NewQueryPaginator(tg.DynamoDB, &dynamodb.QueryInput{
		TableName:                 aws.String(tg.Tables.CustomerAccounts),
		KeyConditionExpression:    aws.String("customerId = :c"),
		ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":c": &dbtypes.AttributeValueMemberS{Value: customerID}},
		ConsistentRead:            aws.Bool(true),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		require.NoError(t, err, "query the account of %s", customerID)
		var items []accountEntry
		require.NoError(t, attributevalue.UnmarshalListOfMaps(page.Items, &items))
		for _, item := range items {
			entries[item.EntryID] = item
		}
	}
	return entries
}
