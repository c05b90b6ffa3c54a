package payment

import "github.com/faresaga/faresaga/internal/dynamo"

// DynamoDB is the part of the DynamoDB API this package uses; *dynamodb.Client
// implements it, and so can an instrumented wrapper.
type DynamoDB = dynamo.API
