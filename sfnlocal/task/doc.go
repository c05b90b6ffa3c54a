// Package task runs the work of Step Functions Task states: it resolves a Task's
// Resource ARN to an integration (in-process Lambda functions, DynamoDB, SNS, or a
// mocked response from a Step Functions Local MockConfigFile) and calls it with the
// state's evaluated arguments.
//
// Results and failures have the shapes AWS Step Functions gives them, because state
// machines select from results (ResultSelector, $states.result.Payload) and route on
// error names (Retry, Catch): a Lambda function's error type is the error name, a
// DynamoDB exception is "DynamoDB.<Exception>", and service results carry the
// SdkHttpMetadata and SdkResponseMetadata that Step Functions' Java SDK adds.
//
// The package knows nothing about any application: functions, tables and topics are
// whatever the embedder registers or points it at.
package task
