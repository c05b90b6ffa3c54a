package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// maxTaskTokenLength is AWS's limit on a task token.
const maxTaskTokenLength = 2048

type sendTaskRequest struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"` // SendTaskSuccess
	Error     string `json:"error"`  // SendTaskFailure
	Cause     string `json:"cause"`  // SendTaskFailure
}

func checkTaskToken(token string) *apiError {
	if token == "" {
		return missingMember("taskToken")
	}
	if len(token) > maxTaskTokenLength {
		return validationError("taskToken", "...", fmt.Sprintf("Member must have length less than or equal to %d", maxTaskTokenLength))
	}
	return nil
}

// callbackError turns the engine's answer to a callback into AWS's error: a token no task
// waits on is InvalidToken, one whose task timed out is TaskTimedOut.
func callbackError(err error) *apiError {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, engine.ErrTaskTimedOut):
		return clientError(codeTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
	case errors.Is(err, engine.ErrTaskTokenInvalid):
		return clientError(codeInvalidToken, "Invalid Token: 'Invalid token'")
	case errors.Is(err, engine.ErrInvalidTaskOutput):
		return clientError(codeInvalidOutput, "Invalid Output: '%v'", err)
	}
	return internalError("%v", err)
}

func (s *Server) sendTaskSuccess(_ context.Context, in *sendTaskRequest) (any, *apiError) {
	if err := checkTaskToken(in.TaskToken); err != nil {
		return nil, err
	}
	if in.Output == "" {
		return nil, missingMember("output")
	}
	if err := checkPayload("output", codeInvalidOutput, "Invalid Output", in.Output); err != nil {
		return nil, err
	}
	if err := callbackError(s.engine.SendTaskSuccess(in.TaskToken, in.Output)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskFailure(_ context.Context, in *sendTaskRequest) (any, *apiError) {
	if err := checkTaskToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := checkErrorAndCause(in.Error, in.Cause); err != nil {
		return nil, err
	}
	if err := callbackError(s.engine.SendTaskFailure(in.TaskToken, in.Error, in.Cause)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Server) sendTaskHeartbeat(_ context.Context, in *sendTaskRequest) (any, *apiError) {
	if err := checkTaskToken(in.TaskToken); err != nil {
		return nil, err
	}
	if err := callbackError(s.engine.SendTaskHeartbeat(in.TaskToken)); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}
