package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

type startExecutionRequest struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            *string `json:"name"`
	Input           *string `json:"input"`
	IncludedData    string  `json:"includedData"` // StartSyncExecution only
}

type startExecutionResponse struct {
	ExecutionArn string    `json:"executionArn"`
	StartDate    timestamp `json:"startDate"`
}

func (s *Server) startExecution(_ context.Context, in *startExecutionRequest) (any, *apiError) {
	x, err := s.start(in, false)
	if err != nil {
		return nil, err
	}
	return startExecutionResponse{ExecutionArn: x.ARN, StartDate: stamp(x.StartTime)}, nil
}

// start starts an execution for StartExecution or StartSyncExecution. A Standard
// execution's name is idempotent as on AWS: the same name and input while it runs give
// the running execution back; otherwise the name is taken.
func (s *Server) start(in *startExecutionRequest, sync bool) (*storedExecution, *apiError) {
	machineARN, testCase := splitTestCase(in.StateMachineArn)
	resolved, err := s.resolveStart(machineARN)
	if err != nil {
		return nil, err
	}
	m := resolved.target
	if sync && !m.isExpress() {
		return nil, clientError(codeStateMachineTypeNotSupport, "This operation is not supported by this type of state machine")
	}
	if err := s.checkTestCase(m, testCase); err != nil {
		return nil, err
	}
	name := newUUID()
	if in.Name != nil {
		if err := checkName("name", *in.Name); err != nil {
			return nil, err
		}
		name = *in.Name
	}
	input := "{}"
	if in.Input != nil {
		input = *in.Input
	}
	if err := checkPayload("input", codeInvalidExecutionInput, "Invalid State Machine Execution Input", input); err != nil {
		return nil, err
	}
	arn := s.executionARN(m, name)
	x, existed, startErr := s.store.startExecution(arn, m, func() (*engine.Execution, error) {
		return s.engine.Start(s.ctx, m.compiled, engine.StartInput{
			StateMachineName: m.name, StateMachineARN: m.arn, Name: name, ARN: arn,
			StateMachineVersionARN: resolved.versionARN, StateMachineAliasARN: resolved.aliasARN,
			RoleARN: m.roleARN, Input: input, TestCase: testCase,
		})
	})
	var invalidInput *engine.InvalidInputError
	switch {
	case errors.As(startErr, &invalidInput):
		return nil, clientError(codeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", invalidInput.Reason)
	case startErr != nil:
		return nil, internalError("cannot start the execution: %v", startErr)
	case existed && (x.Status() != engine.Running || x.Input != input):
		return nil, clientError(codeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}
	return x, nil
}

// checkTestCase refuses a Step Functions Local test case that the mock configuration
// does not define for the machine, with Step Functions Local's message, rather than
// failing the execution later at its first mocked state.
func (s *Server) checkTestCase(m *stateMachine, testCase string) *apiError {
	if testCase == "" || s.mocks != nil && s.mocks.HasTestCase(m.name, testCase) {
		return nil
	}
	return clientError(codeValidation, "No definitions for test case '%s' and state machine '%s' in the mock configuration file.", testCase, m.name)
}

// maxPayloadBytes is the limit on an execution's input and a task's output.
const maxPayloadBytes = engine.MaxPayloadBytes

// checkPayload checks a JSON payload member: too long breaks the model's length
// constraint; not JSON is the operation's own error.
func checkPayload(member, invalidCode, invalidMessage, payload string) *apiError {
	if len(payload) > maxPayloadBytes {
		return validationError(member, "...", fmt.Sprintf("Member must have length less than or equal to %d", maxPayloadBytes))
	}
	if json.Valid([]byte(payload)) {
		return nil
	}
	var v any
	err := json.Unmarshal([]byte(payload), &v) // only for the reason it gives
	return clientError(invalidCode, "%s: '%v'", invalidMessage, err)
}

type executionRequest struct {
	ExecutionArn string `json:"executionArn"`
}

// lookupExecution finds the execution an operation names, with AWS's errors for an ARN
// that is malformed or names nothing (or an execution evicted since).
func (s *Server) lookupExecution(arn string) (*storedExecution, *apiError) {
	if err := checkARN("executionArn", arn, resourceExecution, resourceExpress); err != nil {
		return nil, err
	}
	x, ok := s.store.execution(arn)
	if !ok {
		return nil, executionDoesNotExist(arn)
	}
	return x, nil
}

type describeExecutionResponse struct {
	ExecutionArn           string          `json:"executionArn"`
	StateMachineArn        string          `json:"stateMachineArn"`
	Name                   string          `json:"name"`
	Status                 engine.Status   `json:"status"`
	StartDate              timestamp       `json:"startDate"`
	StopDate               *timestamp      `json:"stopDate,omitempty"`
	Input                  string          `json:"input"`
	InputDetails           *payloadDetails `json:"inputDetails"`
	Output                 *string         `json:"output,omitempty"`
	OutputDetails          *payloadDetails `json:"outputDetails,omitempty"`
	Error                  string          `json:"error,omitempty"`
	Cause                  string          `json:"cause,omitempty"`
	StateMachineVersionArn string          `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string          `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           int             `json:"redriveCount"`
	RedriveDate            *timestamp      `json:"redriveDate,omitempty"`
	RedriveStatus          string          `json:"redriveStatus"`
	RedriveStatusReason    string          `json:"redriveStatusReason,omitempty"`
}

func (s *Server) describeExecution(_ context.Context, in *executionRequest) (any, *apiError) {
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	result := x.Result()
	out := describeExecutionResponse{
		ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name, Status: result.Status,
		StartDate: stamp(x.StartTime), StopDate: optionalStamp(result.StopTime),
		Input: x.Input, InputDetails: included, Error: result.Error, Cause: result.Cause,
		StateMachineVersionArn: x.StateMachineVersionARN, StateMachineAliasArn: x.StateMachineAliasARN,
		RedriveCount: result.RedriveCount, RedriveDate: optionalStamp(result.RedriveTime),
	}
	out.RedriveStatus, out.RedriveStatusReason = s.redriveStatus(x)
	if result.Status == engine.Succeeded {
		out.Output, out.OutputDetails = &result.Output, included
	}
	return out, nil
}

type listExecutionsRequest struct {
	StateMachineArn string `json:"stateMachineArn"`
	MapRunArn       string `json:"mapRunArn"`
	StatusFilter    string `json:"statusFilter"`
	RedriveFilter   string `json:"redriveFilter"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type executionListItem struct {
	ExecutionArn           string        `json:"executionArn"`
	StateMachineArn        string        `json:"stateMachineArn"`
	Name                   string        `json:"name"`
	Status                 engine.Status `json:"status"`
	StartDate              timestamp     `json:"startDate"`
	StopDate               *timestamp    `json:"stopDate,omitempty"`
	StateMachineVersionArn string        `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   string        `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           int           `json:"redriveCount"`
	RedriveDate            *timestamp    `json:"redriveDate,omitempty"`
}

type listExecutionsResponse struct {
	Executions []executionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

const executionPageToken = "executions"

// listExecutions lists a machine's executions newest first, as AWS does.
func (s *Server) listExecutions(_ context.Context, in *listExecutionsRequest) (any, *apiError) {
	if in.MapRunArn != "" {
		// The engine runs a map run's iterations inside the execution: no child executions.
		if _, err := s.lookupMapRun(in.MapRunArn); err != nil {
			return nil, err
		}
		return listExecutionsResponse{Executions: []executionListItem{}}, nil
	}
	if in.StateMachineArn == "" {
		return nil, clientError(codeValidation, "Must provide a StateMachine ARN or MapRun ARN")
	}
	// A version's or an alias's ARN lists the executions started through it.
	machineARN, qualifier, qualified := qualifiedARN(in.StateMachineArn)
	m, err := s.lookupMachine(machineARN)
	if err != nil {
		return nil, err
	}
	if in.StatusFilter == "PENDING_REDRIVE" {
		return nil, clientError(codeValidation, "The PENDING_REDRIVE status filter can only be used with a mapRunArn")
	}
	keepStatus, err := statusFilter(in.StatusFilter)
	if err != nil {
		return nil, err
	}
	keepRedrive, err := redriveFilter(in.RedriveFilter)
	if err != nil {
		return nil, err
	}
	keep := func(x *storedExecution) bool {
		if qualified && x.StateMachineVersionARN != in.StateMachineArn && x.StateMachineAliasARN != in.StateMachineArn {
			return false
		}
		return keepStatus(x) && keepRedrive(x)
	}
	_ = qualifier
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	before, err := decodeNumberToken(executionPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	page, more := s.store.executionsBefore(m.arn, before, limit, keep)
	out := listExecutionsResponse{Executions: make([]executionListItem, len(page))}
	for i, x := range page {
		result := x.Result()
		out.Executions[i] = executionListItem{
			ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name, Status: result.Status,
			StartDate: stamp(x.StartTime), StopDate: optionalStamp(result.StopTime),
			StateMachineVersionArn: x.StateMachineVersionARN, StateMachineAliasArn: x.StateMachineAliasARN,
			RedriveCount: result.RedriveCount, RedriveDate: optionalStamp(result.RedriveTime),
		}
	}
	if more {
		out.NextToken = encodeNumberToken(executionPageToken, page[len(page)-1].sequence)
	}
	return out, nil
}

func statusFilter(status string) (func(*storedExecution) bool, *apiError) {
	switch engine.Status(status) {
	case "":
		return func(*storedExecution) bool { return true }, nil
	case engine.Running, engine.Succeeded, engine.Failed, engine.TimedOut, engine.Aborted, "PENDING_REDRIVE":
		return func(x *storedExecution) bool { return x.Status() == engine.Status(status) }, nil
	}
	return nil, validationError("statusFilter", status,
		"Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]")
}

type stopExecutionRequest struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

type stopExecutionResponse struct {
	StopDate timestamp `json:"stopDate"`
}

// Limits on the error and cause a caller gives a failure.
const (
	maxErrorLength = 256
	maxCauseLength = 32768
)

func checkErrorAndCause(errName, cause string) *apiError {
	if len(errName) > maxErrorLength {
		return validationError("error", errName, fmt.Sprintf("Member must have length less than or equal to %d", maxErrorLength))
	}
	if len(cause) > maxCauseLength {
		return validationError("cause", "...", fmt.Sprintf("Member must have length less than or equal to %d", maxCauseLength))
	}
	return nil
}

// stopExecution aborts a running execution; stopping a finished one changes nothing
// and answers with the time it stopped.
func (s *Server) stopExecution(_ context.Context, in *stopExecutionRequest) (any, *apiError) {
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if err := checkErrorAndCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	x.Stop(in.Error, in.Cause)
	return stopExecutionResponse{StopDate: stamp(x.Result().StopTime)}, nil
}
