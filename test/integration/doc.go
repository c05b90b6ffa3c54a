// Package integration drives the fare-collection saga from the outside, through the
// AWS SDK's Step Functions and DynamoDB clients and the outcome messages, exactly as a
// client of the deployed stack would. The scenarios are written once and run against
// the target FARESAGA_TARGET names:
//
//	local       (default) the embedded runtime, started in-process on loopback ports
//	localstack  the CDK stack deployed to LocalStack with cdklocal (make test-localstack),
//	            functions built for the host's architecture
//	aws         the deployed stack FARESAGA_STACK (default FareCollection-dev), with the
//	            default credential chain (make test-aws)
//
// A target that cannot be reached skips every test with a message saying what to start;
// with FARESAGA_LOCALSTACK_REQUIRED=1 (make test-localstack) an unreachable LocalStack
// fails them instead. The LocalStack target's own plumbing (cdklocal's environment, its
// deploy commands against a fake endpoint, serialised starts) is tested in every run.
// Every scenario uses fare and customer ids of its own, unique to the run, so scenarios
// run in parallel and on tables shared with other runs.
package integration
