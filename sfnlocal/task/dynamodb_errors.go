package task

import (
	"context"
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

const dynamoDBService = "AmazonDynamoDBv2" // the service name the Java SDK 1.x prints

// dynamoFailure turns an SDK error into the failure Step Functions reports. A modelled
// exception is "DynamoDB.<ErrorCode>"; an error code the API model does not declare
// (ValidationException, SerializationException) is the SDK's generic
// DynamoDB.AmazonDynamoDBException; an error without a response (connection refused)
// is DynamoDB.SdkClientException. Context errors pass through: the registry decides
// whether they are the Task's timeout.
func dynamoFailure(err error, requestID string) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return &failure.Error{Name: "DynamoDB.SdkClientException", Cause: err.Error()}
	}
	status := http.StatusBadRequest
	var responseErr *awshttp.ResponseError
	if errors.As(err, &responseErr) {
		status = responseErr.HTTPStatusCode()
		if id := responseErr.ServiceRequestID(); id != "" {
			requestID = id
		}
	}
	name := "DynamoDB." + apiErr.ErrorCode()
	var generic *smithy.GenericAPIError
	if errors.As(err, &generic) {
		name = "DynamoDB.AmazonDynamoDBException"
	}
	return &failure.Error{Name: name, Cause: serviceErrorCause(apiErr.ErrorMessage(), dynamoDBService, status, apiErr.ErrorCode(), requestID)}
}

// dynamoValidationFailure is how DynamoDB rejects arguments it cannot accept.
func dynamoValidationFailure(message, requestID string) *failure.Error {
	return &failure.Error{
		Name:  "DynamoDB.AmazonDynamoDBException",
		Cause: serviceErrorCause(message, dynamoDBService, http.StatusBadRequest, "ValidationException", requestID),
	}
}
