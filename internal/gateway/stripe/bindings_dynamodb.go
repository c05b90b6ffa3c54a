package stripe

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/dynamo"
	"github.com/faresaga/faresaga/internal/tables"
)

// dynamoBindings keeps the bindings in the PaymentGateway table, under
// "stripe-key#<key>", apart from the simulated gateway's items.
type dynamoBindings struct {
	db    dynamo.API
	table string
}

// NewDynamoBindings returns bindings kept in the PaymentGateway table named table.
func NewDynamoBindings(db dynamo.API, table string) Bindings {
	return &dynamoBindings{db: db, table: table}
}

func bindingItemID(key string) string { return "stripe-key#" + key }

func (d *dynamoBindings) Bind(ctx context.Context, b Binding) (Binding, error) {
	item, err := attributevalue.MarshalMap(b)
	if err != nil {
		return Binding{}, fmt.Errorf("encode the binding of key %s: %w", b.Key, err)
	}
	id := tables.PaymentGateway.PartitionKey
	item[id] = dynamo.String(bindingItemID(b.Key))
	_, err = d.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(d.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": id}})
	if !dynamo.LostConditionRace(err) {
		return b, err
	}
	first, found, err := d.Get(ctx, b.Key)
	if err == nil && !found {
		err = fmt.Errorf("the binding of key %s was refused as existing, then not found", b.Key)
	}
	return first, err
}

func (d *dynamoBindings) Get(ctx context.Context, key string) (Binding, bool, error) {
	item, err := dynamo.GetItem(ctx, d.db, d.table, tables.PaymentGateway.PartitionKey, bindingItemID(key))
	if err != nil || item == nil {
		return Binding{}, false, err
	}
	var b Binding
	if err := attributevalue.UnmarshalMap(item, &b); err != nil {
		return Binding{}, false, fmt.Errorf("decode the binding of key %s: %w", key, err)
	}
	return b, true, nil
}
