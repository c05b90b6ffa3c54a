package task

import (
	"context"
	"hash/crc32"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// DynamoDBAPI is the part of *dynamodb.Client the integration calls.
type DynamoDBAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// DynamoDB runs arn:aws:states:::dynamodb:getItem, putItem, updateItem and deleteItem
// against a DynamoDB client (which endpoint it talks to is the caller's business).
type DynamoDB struct {
	client DynamoDBAPI
	env    Env
}

// NewDynamoDB returns the integration over client.
func NewDynamoDB(client DynamoDBAPI, env Env) *DynamoDB {
	return &DynamoDB{client: client, env: env.withDefaults()}
}

// dynamoAction is one DynamoDB API action: the arguments it accepts and how it calls
// the client with them, returning the response body in the API's JSON shape.
type dynamoAction struct {
	fields map[string]bool
	call   func(ctx context.Context, client DynamoDBAPI, args *dynamoArgs) (*jsonvalue.Object, error)
}

var (
	keyFields       = []string{"TableName", "Key", "ExpressionAttributeNames", "ReturnConsumedCapacity"}
	conditionFields = []string{"ConditionExpression", "ExpressionAttributeValues", "ReturnValues",
		"ReturnItemCollectionMetrics", "ReturnValuesOnConditionCheckFailure"}
)

var dynamoActions = map[string]dynamoAction{
	"getItem":    {fieldSet(keyFields, []string{"ConsistentRead", "ProjectionExpression"}), getItem},
	"putItem":    {fieldSet(conditionFields, []string{"TableName", "Item", "ExpressionAttributeNames", "ReturnConsumedCapacity"}), putItem},
	"updateItem": {fieldSet(keyFields, conditionFields, []string{"UpdateExpression"}), updateItem},
	"deleteItem": {fieldSet(keyFields, conditionFields), deleteItem},
}

func fieldSet(groups ...[]string) map[string]bool {
	set := map[string]bool{}
	for _, group := range groups {
		for _, field := range group {
			set[field] = true
		}
	}
	return set
}

// Invoke calls the action the resource names with the arguments in the API's JSON
// shape and returns the response the way Step Functions does.
func (d *DynamoDB) Invoke(ctx context.Context, req Request) (any, error) {
	resource, err := ParseResource(req.Resource)
	if err != nil {
		return nil, err
	}
	action, ok := dynamoActions[resource.Action]
	if resource.Kind != KindDynamoDB || !ok {
		return nil, failure.New(failure.Runtime, "%s is not a DynamoDB resource", req.Resource)
	}
	object, err := argumentObject(req.Arguments, action.fields)
	if err != nil {
		return nil, err
	}
	requestID := d.env.NewID()
	args := &dynamoArgs{args: object}
	body, err := action.call(ctx, d.client, args)
	if args.err != nil {
		if _, isFailure := args.err.(*failure.Error); isFailure {
			return nil, args.err
		}
		return nil, dynamoValidationFailure(args.err.Error(), requestID)
	}
	if err != nil {
		return nil, dynamoFailure(err, requestID)
	}
	return d.withMetadata(body, requestID), nil
}

func (d *DynamoDB) withMetadata(body *jsonvalue.Object, requestID string) *jsonvalue.Object {
	encoded, _ := marshalJSON(body)
	return withSdkMetadata(body.CloneWithRoom(2), requestID, []httpHeader{
		{"Server", "Server"},
		{"Connection", "keep-alive"},
		{"x-amzn-RequestId", requestID},
		{"x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(encoded)), 10)},
		{"Content-Length", contentLength(encoded)},
		{"Date", httpDate(d.env.Now())},
		{"Content-Type", "application/x-amz-json-1.0"},
	})
}

func getItem(ctx context.Context, client DynamoDBAPI, a *dynamoArgs) (*jsonvalue.Object, error) {
	in := &dynamodb.GetItemInput{
		TableName: a.str("TableName"), Key: a.item("Key"), ConsistentRead: a.boolean("ConsistentRead"),
		ProjectionExpression: a.str("ProjectionExpression"), ExpressionAttributeNames: a.names(),
		ReturnConsumedCapacity: types.ReturnConsumedCapacity(a.enum("ReturnConsumedCapacity")),
	}
	if a.err != nil {
		return nil, nil
	}
	out, err := client.GetItem(ctx, in)
	if err != nil {
		return nil, err
	}
	body := jsonvalue.NewObject(2)
	if out.Item != nil {
		body.Set("Item", attributeValuesToJSON(out.Item))
	}
	return withConsumedCapacity(body, out.ConsumedCapacity), nil
}

func putItem(ctx context.Context, client DynamoDBAPI, a *dynamoArgs) (*jsonvalue.Object, error) {
	c := a.condition()
	in := &dynamodb.PutItemInput{
		TableName: a.str("TableName"), Item: a.item("Item"),
		ConditionExpression: c.expression, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValues: c.returnValues, ReturnConsumedCapacity: c.consumedCapacity,
		ReturnItemCollectionMetrics: c.collectionMetrics, ReturnValuesOnConditionCheckFailure: c.onConditionFailure,
	}
	if a.err != nil {
		return nil, nil
	}
	out, err := client.PutItem(ctx, in)
	if err != nil {
		return nil, err
	}
	return writeResult(c.returnValues, out.Attributes, out.ConsumedCapacity), nil
}

func updateItem(ctx context.Context, client DynamoDBAPI, a *dynamoArgs) (*jsonvalue.Object, error) {
	c := a.condition()
	in := &dynamodb.UpdateItemInput{
		TableName: a.str("TableName"), Key: a.item("Key"), UpdateExpression: a.str("UpdateExpression"),
		ConditionExpression: c.expression, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValues: c.returnValues, ReturnConsumedCapacity: c.consumedCapacity,
		ReturnItemCollectionMetrics: c.collectionMetrics, ReturnValuesOnConditionCheckFailure: c.onConditionFailure,
	}
	if a.err != nil {
		return nil, nil
	}
	out, err := client.UpdateItem(ctx, in)
	if err != nil {
		return nil, err
	}
	return writeResult(c.returnValues, out.Attributes, out.ConsumedCapacity), nil
}

func deleteItem(ctx context.Context, client DynamoDBAPI, a *dynamoArgs) (*jsonvalue.Object, error) {
	c := a.condition()
	in := &dynamodb.DeleteItemInput{
		TableName: a.str("TableName"), Key: a.item("Key"),
		ConditionExpression: c.expression, ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values,
		ReturnValues: c.returnValues, ReturnConsumedCapacity: c.consumedCapacity,
		ReturnItemCollectionMetrics: c.collectionMetrics, ReturnValuesOnConditionCheckFailure: c.onConditionFailure,
	}
	if a.err != nil {
		return nil, nil
	}
	out, err := client.DeleteItem(ctx, in)
	if err != nil {
		return nil, err
	}
	return writeResult(c.returnValues, out.Attributes, out.ConsumedCapacity), nil
}

// writeResult is a write's response: the Attributes ReturnValues asked for, if any.
// Attributes returned without being asked for (minidyn does so) are dropped, as
// DynamoDB never sends them.
func writeResult(returnValues types.ReturnValue, attributes map[string]types.AttributeValue, consumed *types.ConsumedCapacity) *jsonvalue.Object {
	body := jsonvalue.NewObject(2)
	if len(attributes) > 0 && returnValues != "" && returnValues != types.ReturnValueNone {
		body.Set("Attributes", attributeValuesToJSON(attributes))
	}
	return withConsumedCapacity(body, consumed)
}

func withConsumedCapacity(body *jsonvalue.Object, consumed *types.ConsumedCapacity) *jsonvalue.Object {
	if consumed == nil {
		return body
	}
	capacity := jsonvalue.NewObject(2)
	if consumed.TableName != nil {
		capacity.Set("TableName", *consumed.TableName)
	}
	if consumed.CapacityUnits != nil {
		capacity.Set("CapacityUnits", *consumed.CapacityUnits)
	}
	body.Set("ConsumedCapacity", capacity)
	return body
}
