// Package rie is a smoke test of the Lambda artefacts themselves: each function's
// bootstrap, built with the deployment's flags, runs under AWS's Lambda Runtime
// Interface Emulator and answers real invocations against a local DynamoDB endpoint.
// The unit tests call the handlers in-process; only this test proves that the binary
// starts, reads its environment and speaks the Runtime API the way Lambda expects.
package rie
