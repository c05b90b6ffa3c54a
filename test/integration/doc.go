// Package integration drives the fare-collection saga from the outside, exactly as a
// client of the deployed stack would: fares are started through the front door (POST
// /fares; SigV4-signed on AWS), and outcomes are read through the AWS SDK's Step
// Functions and DynamoDB clients and the outcome messages. The scenarios are written
// once and run against the target FARESAGA_TARGET names:
//
//	local       (default) the embedded runtime and its door, started in-process on loopback ports
//	localstack  the CDK stack deployed to LocalStack with cdklocal (make test-localstack),
//	            functions built for the host's architecture
//	aws         the deployed stack FARESAGA_STACK (default FareCollection-dev), with the
//	            default credential chain (make test-aws); the door is its output FareApiUrl
//
// A target that cannot be reached skips every test with a message saying what to start;
// with FARESAGA_LOCALSTACK_REQUIRED=1 (make test-localstack) an unreachable LocalStack
// fails them instead. The LocalStack target's own plumbing (cdklocal's environment, its
// deploy commands against a fake endpoint, its door) is tested in every run.
// Every scenario uses fare and customer ids of its own, unique to the run, so scenarios
// run in parallel and on tables shared with other runs.
package integration
