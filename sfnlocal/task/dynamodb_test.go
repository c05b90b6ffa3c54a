package task

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/sfnlocal/failure"
)

func newDynamoRegistry(t *testing.T) *Registry {
	t.Helper()
	registry := NewRegistry()
	registry.Handle(KindDynamoDB, NewDynamoDB(dynamotest.Start(t).Client, testEnv()))
	return registry
}

// body drops the SDK metadata, leaving the API's response.
func body(t *testing.T, result any) map[string]any {
	t.Helper()
	m, ok := result.(map[string]any)
	require.True(t, ok, "a DynamoDB result is an object: %v", result)
	require.Contains(t, m, "SdkHttpMetadata")
	require.Contains(t, m, "SdkResponseMetadata")
	out := map[string]any{}
	for k, v := range m {
		if k != "SdkHttpMetadata" && k != "SdkResponseMetadata" {
			out[k] = v
		}
	}
	return out
}

func TestDynamoDBItemLifecycle(t *testing.T) {
	registry := newDynamoRegistry(t)
	fareKey := map[string]any{"fareId": map[string]any{"S": "f1"}}
	steps := []struct {
		name     string
		action   string
		args     map[string]any
		wantBody map[string]any
		wantErr  string
	}{
		{"get a missing item", "getItem", map[string]any{"TableName": "Fares", "Key": fareKey}, map[string]any{}, ""},
		{"put", "putItem", map[string]any{"TableName": "Fares", "Item": map[string]any{
			"fareId": map[string]any{"S": "f1"}, "status": map[string]any{"S": "REGISTERED"}, "amount": map[string]any{"N": "12.5"},
			"tags": map[string]any{"SS": []any{"a", "b"}}, "meta": map[string]any{"M": map[string]any{"ok": map[string]any{"BOOL": true}}},
			"legs": map[string]any{"L": []any{map[string]any{"NULL": true}, map[string]any{"B": "AQI="}}},
		}, "ConditionExpression": "attribute_not_exists(fareId)"}, map[string]any{}, ""},
		{"put again under the same condition", "putItem", map[string]any{"TableName": "Fares", "Item": fareKey,
			"ConditionExpression": "attribute_not_exists(fareId)"}, nil, "DynamoDB.ConditionalCheckFailedException"},
		{"get", "getItem", map[string]any{"TableName": "Fares", "Key": fareKey, "ConsistentRead": true}, map[string]any{"Item": map[string]any{
			"fareId": map[string]any{"S": "f1"}, "status": map[string]any{"S": "REGISTERED"}, "amount": map[string]any{"N": "12.5"},
			"tags": map[string]any{"SS": []any{"a", "b"}}, "meta": map[string]any{"M": map[string]any{"ok": map[string]any{"BOOL": true}}},
			"legs": map[string]any{"L": []any{map[string]any{"NULL": true}, map[string]any{"B": "AQI="}}},
		}}, ""},
		{"update under a condition that holds", "updateItem", map[string]any{"TableName": "Fares", "Key": fareKey,
			"UpdateExpression":          "SET #status = :completed",
			"ConditionExpression":       "#status = :registered",
			"ExpressionAttributeNames":  map[string]any{"#status": "status"},
			"ExpressionAttributeValues": map[string]any{":completed": map[string]any{"S": "COMPLETED"}, ":registered": map[string]any{"S": "REGISTERED"}},
			"ReturnValues":              "UPDATED_NEW",
		}, map[string]any{"Attributes": map[string]any{"status": map[string]any{"S": "COMPLETED"}}}, ""},
		{"update under a condition that fails", "updateItem", map[string]any{"TableName": "Fares", "Key": fareKey,
			"UpdateExpression":          "SET #status = :completed",
			"ConditionExpression":       "#status = :registered",
			"ExpressionAttributeNames":  map[string]any{"#status": "status"},
			"ExpressionAttributeValues": map[string]any{":completed": map[string]any{"S": "COMPLETED"}, ":registered": map[string]any{"S": "REGISTERED"}},
		}, nil, "DynamoDB.ConditionalCheckFailedException"},
		{"delete a fare that is not cancelled", "deleteItem", map[string]any{"TableName": "Fares", "Key": fareKey,
			"ConditionExpression": "#status = :cancelled", "ExpressionAttributeNames": map[string]any{"#status": "status"},
			"ExpressionAttributeValues": map[string]any{":cancelled": map[string]any{"S": "CANCELLED"}}}, nil, "DynamoDB.ConditionalCheckFailedException"},
		{"delete returning the old item", "deleteItem", map[string]any{"TableName": "Fares", "Key": fareKey, "ReturnValues": "ALL_OLD",
			"ProjectionExpression": "ignored"}, nil, failure.Runtime},
		{"delete", "deleteItem", map[string]any{"TableName": "Fares", "Key": fareKey, "ReturnValues": "ALL_OLD"},
			nil, ""},
		{"get the deleted item", "getItem", map[string]any{"TableName": "Fares", "Key": fareKey}, map[string]any{}, ""},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			got, err := invokePlain(registry, context.Background(), Request{Resource: "arn:aws:states:::dynamodb:" + step.action, Arguments: step.args})
			if step.wantErr != "" {
				assert.Equal(t, step.wantErr, failure.As(err).Name, "%v", err)
				return
			}
			require.NoError(t, err)
			if step.wantBody == nil {
				return
			}
			gotBody := body(t, got)
			if attributes, ok := step.wantBody["Attributes"].(map[string]any); ok && step.args["ReturnValues"] == "UPDATED_NEW" {
				// minidyn answers UPDATED_NEW with every attribute (a string set among
				// them, in no fixed order), where DynamoDB returns only the updated
				// ones: check that those are there and right.
				for name, want := range attributes {
					assert.Equal(t, want, gotBody["Attributes"].(map[string]any)[name], name)
				}
				return
			}
			assert.Equal(t, step.wantBody, gotBody)
		})
	}
}

func TestDynamoDBConditionalCheckFailedCause(t *testing.T) {
	registry := newDynamoRegistry(t)
	put := Request{Resource: "arn:aws:states:::dynamodb:putItem", Arguments: map[string]any{
		"TableName": "Fares", "Item": map[string]any{"fareId": map[string]any{"S": "f1"}}, "ConditionExpression": "attribute_not_exists(fareId)",
	}}
	_, err := invokePlain(registry, context.Background(), put)
	require.NoError(t, err)
	_, err = invokePlain(registry, context.Background(), put)
	assert.Equal(t, &failure.Error{Name: "DynamoDB.ConditionalCheckFailedException",
		Cause: "The conditional request failed (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; Request ID: " + id(2) + "; Proxy: null)",
	}, err)
}

func TestDynamoDBResultMetadata(t *testing.T) {
	registry := newDynamoRegistry(t)
	got, err := invokePlain(registry, context.Background(), Request{Resource: "arn:aws:states:::dynamodb:putItem", Arguments: map[string]any{
		"TableName": "Fares", "Item": map[string]any{"fareId": map[string]any{"S": "f1"}},
	}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{
				"Server": []any{"Server"}, "Connection": []any{"keep-alive"}, "x-amzn-RequestId": []any{id(1)},
				"x-amz-crc32": []any{"2745614147"}, "Content-Length": []any{"2"}, "Date": []any{"Tue, 04 Mar 2025 05:06:07 GMT"},
				"Content-Type": []any{"application/x-amz-json-1.0"},
			},
			"HttpHeaders": map[string]any{
				"Server": "Server", "Connection": "keep-alive", "x-amzn-RequestId": id(1),
				"x-amz-crc32": "2745614147", "Content-Length": "2", "Date": "Tue, 04 Mar 2025 05:06:07 GMT",
				"Content-Type": "application/x-amz-json-1.0",
			},
			"HttpStatusCode": 200.0,
		},
		"SdkResponseMetadata": map[string]any{"RequestId": id(1)},
	}, got)
}

func TestDynamoDBArgumentFailures(t *testing.T) {
	tests := []struct {
		name   string
		action string
		args   any
		want   string
	}{
		{"an unknown field", "getItem", map[string]any{"TableName": "Fares", "Key": map[string]any{}, "Item": map[string]any{}},
			`The field "Item" is not supported by Step Functions`},
		{"a number given as a JSON number", "getItem", map[string]any{"TableName": "Fares", "Key": map[string]any{"fareId": map[string]any{"N": 1.0}}},
			"invalid Key: fareId: expected a string (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: " + id(1) + "; Proxy: null)"},
		{"an attribute value with two types", "putItem", map[string]any{"TableName": "Fares", "Item": map[string]any{"fareId": map[string]any{"S": "a", "N": "1"}}},
			"invalid Item: fareId: Supplied AttributeValue has more or less than one of the supported datatypes (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: " + id(1) + "; Proxy: null)"},
		{"a table name that is not a string", "deleteItem", map[string]any{"TableName": 3.0, "Key": map[string]any{}},
			`The value for the field "TableName" must be a STRING, not a NUMBER`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			registry := newDynamoRegistry(t)
			_, err := invokePlain(registry, context.Background(), Request{Resource: "arn:aws:states:::dynamodb:" + tt.action, Arguments: tt.args})
			assert.Equal(t, tt.want, failure.As(err).Cause)
		})
	}
}

func TestDynamoDBServiceErrorsKeepTheirCode(t *testing.T) {
	registry := newDynamoRegistry(t)
	_, err := invokePlain(registry, context.Background(), Request{Resource: "arn:aws:states:::dynamodb:getItem", Arguments: map[string]any{
		"TableName": "NoSuchTable", "Key": map[string]any{"fareId": map[string]any{"S": "f1"}},
	}})
	f := failure.As(err)
	assert.Equal(t, "DynamoDB.ResourceNotFoundException", f.Name)
	assert.Contains(t, f.Cause, "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: ")
}
