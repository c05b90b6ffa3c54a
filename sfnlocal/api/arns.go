package api

import (
	"strings"
)

// ARN resource types of Step Functions: a state machine, a Standard execution, and an
// Express execution (whose ARN carries a unique id after the name, since Express
// execution names need not be unique).
const (
	resourceStateMachine = "stateMachine"
	resourceExecution    = "execution"
	resourceExpress      = "express"
)

func (s *Server) stateMachineARN(name string) string {
	return s.arnPrefix() + resourceStateMachine + ":" + name
}

func (s *Server) executionARN(machine *stateMachine, name string) string {
	if machine.isExpress() {
		return s.arnPrefix() + resourceExpress + ":" + machine.name + ":" + name + ":" + newUUID()
	}
	return s.arnPrefix() + resourceExecution + ":" + machine.name + ":" + name
}

func (s *Server) arnPrefix() string {
	return "arn:aws:states:" + s.region + ":" + s.account + ":"
}

// checkARN checks that arn is a Step Functions ARN of one of the resource types the
// member accepts, with AWS's InvalidArn messages. It does not check that the resource
// exists: the caller looks it up.
func checkARN(member, arn string, resourceTypes ...string) *apiError {
	if arn == "" {
		return missingMember(member)
	}
	if len(arn) > 2048 {
		return validationError(member, arn, "Member must have length less than or equal to 2048")
	}
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 || parts[0] != "arn" || parts[1] == "" || parts[2] != "states" || parts[6] == "" {
		return invalidArn("Invalid ARN prefix: " + arn)
	}
	for _, resourceType := range resourceTypes {
		if parts[5] == resourceType {
			return nil
		}
	}
	return invalidArn("Resource type not valid in this context: " + parts[5])
}

// splitTestCase separates Step Functions Local's "<stateMachineArn>#<TestCase>", which
// starts an execution with the test case's mocked responses.
func splitTestCase(arn string) (machineARN, testCase string) {
	machineARN, testCase, _ = strings.Cut(arn, "#")
	return machineARN, testCase
}
