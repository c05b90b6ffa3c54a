// Package sagatest holds what tests of the saga's steps need to build their payloads the
// way the state machine does: the execution that runs a fare.
package sagatest

import (
	"encoding/json"

	"github.com/faresaga/faresaga/internal/saga"
)

// MachineARN is the state machine the test executions belong to.
const MachineARN = "arn:aws:states:us-east-1:000000000000:stateMachine:FareCollection-test"

// Execution is the execution that owns fareID: named after it, as the front door starts
// every fare.
func Execution(fareID string) *saga.Execution {
	return StartedAt(fareID, "2026-11-27T09:30:00.000Z")
}

// StartedAt is an execution named fareID started at startTime. Two of them with other
// start times are two executions that reused one name, which Step Functions allows once it
// has forgotten the first.
func StartedAt(fareID, startTime string) *saga.Execution {
	return &saga.Execution{ID: executionARN(fareID), Name: fareID, StartTime: startTime}
}

// Named is an execution whose name is not the fareId it is given, as a client that
// retries with a fresh execution name would start.
func Named(name string) *saga.Execution { return StartedAt(name, "2026-11-27T09:31:00.000Z") }

func executionARN(name string) string {
	return "arn:aws:states:us-east-1:000000000000:execution:FareCollection-test:" + name
}

// Step is the payload a step receives for fare, run by the execution named after the
// fare's fareId (read from fare; none when it has no string fareId).
func Step(fare json.RawMessage) saga.StepInput {
	in := saga.StepInput{Fare: fare}
	var fields struct {
		FareID string `json:"fareId"`
	}
	if json.Unmarshal(fare, &fields) == nil && fields.FareID != "" {
		in.Execution = Execution(fields.FareID)
	}
	return in
}
