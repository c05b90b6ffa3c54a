package task

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

func TestParseResource(t *testing.T) {
	tests := []struct {
		arn    string
		want   Resource
		events EventFamily
	}{
		{"arn:aws:lambda:us-east-1:000000000000:function:f",
			Resource{Kind: KindLambdaFunction, Region: "us-east-1"}, LambdaFunctionEvents},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f:live",
			Resource{Kind: KindLambdaFunction, Region: "eu-west-1"}, LambdaFunctionEvents},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST",
			Resource{Kind: KindLambdaFunction, Region: "eu-west-1"}, LambdaFunctionEvents},
		{"arn:aws:states:::lambda:invoke",
			Resource{Kind: KindLambdaInvoke, ResourceType: "lambda", Action: "invoke"}, TaskEvents},
		{"arn:aws:states:::dynamodb:getItem",
			Resource{Kind: KindDynamoDB, ResourceType: "dynamodb", Action: "getItem"}, TaskEvents},
		{"arn:aws:states:::dynamodb:putItem",
			Resource{Kind: KindDynamoDB, ResourceType: "dynamodb", Action: "putItem"}, TaskEvents},
		{"arn:aws:states:::dynamodb:updateItem",
			Resource{Kind: KindDynamoDB, ResourceType: "dynamodb", Action: "updateItem"}, TaskEvents},
		{"arn:aws:states:::dynamodb:deleteItem",
			Resource{Kind: KindDynamoDB, ResourceType: "dynamodb", Action: "deleteItem"}, TaskEvents},
		{"arn:aws:states:::sns:publish",
			Resource{Kind: KindSNSPublish, ResourceType: "sns", Action: "publish"}, TaskEvents},
		{"arn:aws:states:us-east-1:000000000000:activity:a",
			Resource{Kind: KindActivity, Region: "us-east-1"}, ActivityEvents},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got, err := ParseResource(tt.arn)
			require.NoError(t, err)
			tt.want.ARN = tt.arn
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.events, got.Events())
		})
	}
}

func TestParseResourceRefusesWhatItCannotRun(t *testing.T) {
	for _, arn := range []string{
		"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"arn:aws:states:::dynamodb:query",
		"arn:aws:states:::aws-sdk:s3:getObject",
		"arn:aws:states:::sqs:sendMessage",
		"arn:aws:lambda:us-east-1:000000000000:layer:l",
		"arn:aws:lambda:us-east-1:00000:function:f",
		"lambda_function_name",
		"",
	} {
		t.Run(arn, func(t *testing.T) {
			_, err := ParseResource(arn)
			assert.Equal(t, &failure.Error{Name: failure.Runtime, Cause: "The resource provided " + arn +
				" is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."}, err)
		})
	}
}

func TestEventFamilyNames(t *testing.T) {
	names := func(f EventFamily) []string {
		return []string{f.Scheduled(), f.Started(), f.StartFailed(), f.Succeeded(), f.Failed(), f.TimedOut()}
	}
	assert.Equal(t, []string{"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionStartFailed",
		"LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut"}, names(LambdaFunctionEvents))
	assert.Equal(t, []string{"TaskScheduled", "TaskStarted", "TaskStartFailed",
		"TaskSucceeded", "TaskFailed", "TaskTimedOut"}, names(TaskEvents))
}

func TestRegistryWithoutIntegrationForAResource(t *testing.T) {
	registry := NewRegistry()
	resource, integration, err := registry.Resolve("arn:aws:states:::sns:publish")
	assert.Equal(t, KindSNSPublish, resource.Kind)
	assert.Nil(t, integration)
	assert.Equal(t, failure.Runtime, failure.As(err).Name)

	_, err = invokePlain(registry, context.Background(), Request{Resource: "arn:aws:states:::sns:publish"})
	assert.Equal(t, failure.Runtime, failure.As(err).Name)
}
