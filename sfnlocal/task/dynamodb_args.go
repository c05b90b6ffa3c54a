package task

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// dynamoArgs reads DynamoDB arguments, keeping the first problem in err so an action
// reads all its fields in one expression and checks once.
type dynamoArgs struct {
	args *jsonvalue.Object
	err  error
}

// fail keeps the first problem: a field of the wrong JSON type as the Step Functions
// failure it already is, an attribute value DynamoDB would refuse as a plain error.
func (a *dynamoArgs) fail(field string, err error) {
	if a.err != nil {
		return
	}
	if _, isFailure := err.(*failure.Error); isFailure {
		a.err = err
		return
	}
	a.err = fmt.Errorf("invalid %s: %w", field, err)
}

func (a *dynamoArgs) str(field string) *string {
	s, err := optionalString(a.args, field)
	if err != nil {
		a.fail(field, err)
	}
	if s == "" {
		return nil
	}
	return &s
}

func (a *dynamoArgs) enum(field string) string {
	if s := a.str(field); s != nil {
		return *s
	}
	return ""
}

func (a *dynamoArgs) boolean(field string) *bool {
	v, present := a.args.Get(field)
	if !present || v == nil {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		a.fail(field, fmt.Errorf("expected a boolean, got %s", jsonTypeName(v)))
	}
	return &b
}

func (a *dynamoArgs) item(field string) map[string]types.AttributeValue {
	v, present := a.args.Get(field)
	if !present {
		return nil
	}
	item, err := attributeValuesFromJSON(v)
	if err != nil {
		a.fail(field, err)
	}
	return item
}

func (a *dynamoArgs) names() map[string]string {
	v, present := a.args.Get("ExpressionAttributeNames")
	if !present {
		return nil
	}
	object, ok := v.(*jsonvalue.Object)
	if !ok {
		a.fail("ExpressionAttributeNames", fmt.Errorf("expected an object, got %s", jsonTypeName(v)))
		return nil
	}
	names := make(map[string]string, object.Len())
	for _, m := range object.Members() {
		name, ok := m.Value.(string)
		if !ok {
			a.fail("ExpressionAttributeNames", fmt.Errorf("%s must be a string", m.Key))
		}
		names[m.Key] = name
	}
	return names
}

// writeCondition holds the arguments putItem, updateItem and deleteItem share.
type writeCondition struct {
	expression         *string
	names              map[string]string
	values             map[string]types.AttributeValue
	returnValues       types.ReturnValue
	consumedCapacity   types.ReturnConsumedCapacity
	collectionMetrics  types.ReturnItemCollectionMetrics
	onConditionFailure types.ReturnValuesOnConditionCheckFailure
}

func (a *dynamoArgs) condition() writeCondition {
	return writeCondition{
		expression:         a.str("ConditionExpression"),
		names:              a.names(),
		values:             a.item("ExpressionAttributeValues"),
		returnValues:       types.ReturnValue(a.enum("ReturnValues")),
		consumedCapacity:   types.ReturnConsumedCapacity(a.enum("ReturnConsumedCapacity")),
		collectionMetrics:  types.ReturnItemCollectionMetrics(a.enum("ReturnItemCollectionMetrics")),
		onConditionFailure: types.ReturnValuesOnConditionCheckFailure(a.enum("ReturnValuesOnConditionCheckFailure")),
	}
}
