package api

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

type testStateRequest struct {
	Definition      string  `json:"definition"`
	RoleArn         string  `json:"roleArn"`
	Input           *string `json:"input"`
	InspectionLevel string  `json:"inspectionLevel"`
	RevealSecrets   bool    `json:"revealSecrets"`
	Variables       *string `json:"variables"`
	StateName       string  `json:"stateName"`
	Context         *string `json:"context"`
	Mock            *struct {
		Result      *string `json:"result"`
		ErrorOutput *struct {
			Error string `json:"error"`
			Cause string `json:"cause"`
		} `json:"errorOutput"`
		FieldValidationMode string `json:"fieldValidationMode"`
	} `json:"mock"`
	StateConfiguration *struct {
		RetrierRetryCount        *int   `json:"retrierRetryCount"`
		ErrorCausedByState       string `json:"errorCausedByState"`
		MapIterationFailureCount *int   `json:"mapIterationFailureCount"`
		MapItemReaderData        string `json:"mapItemReaderData"`
	} `json:"stateConfiguration"`
}

// inspectionData is TestState's view of the data flow: JSON texts, as AWS sends them.
type inspectionData map[string]any

type testStateResponse struct {
	Output         *string        `json:"output,omitempty"`
	Error          string         `json:"error,omitempty"`
	Cause          string         `json:"cause,omitempty"`
	InspectionData inspectionData `json:"inspectionData,omitempty"`
	NextState      string         `json:"nextState,omitempty"`
	Status         string         `json:"status"`
}

// testState runs one state once (see engine.TestState).
func (s *Server) testState(ctx context.Context, in *testStateRequest) (any, *apiError) {
	if in.Definition == "" {
		return nil, missingMember("definition")
	}
	if err := checkDefinitionSize(in.Definition); err != nil {
		return nil, err
	}
	switch in.InspectionLevel {
	case "", "INFO", "DEBUG", "TRACE":
	default:
		return nil, validationError("inspectionLevel", in.InspectionLevel, "Member must satisfy enum value set: [INFO, DEBUG, TRACE]")
	}
	if in.RoleArn != "" {
		if err := checkRoleARN(in.RoleArn); err != nil {
			return nil, err
		}
	}
	req := engine.TestStateInput{Definition: []byte(in.Definition), StateName: in.StateName, InspectionLevel: in.InspectionLevel,
		RoleARN: in.RoleArn, Input: deref(in.Input), Variables: deref(in.Variables), Context: deref(in.Context)}
	if in.Mock != nil {
		req.Mock = &engine.TestMock{Result: in.Mock.Result, FieldValidationMode: in.Mock.FieldValidationMode}
		if in.Mock.ErrorOutput != nil {
			req.Mock.ErrorOutput = &failure.Error{Name: in.Mock.ErrorOutput.Error, Cause: in.Mock.ErrorOutput.Cause}
		}
		switch in.Mock.FieldValidationMode {
		case "", "STRICT", "PRESENT", "NONE":
		default:
			return nil, validationError("mock.fieldValidationMode", in.Mock.FieldValidationMode, "Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
		}
	}
	if c := in.StateConfiguration; c != nil {
		req.RetrierRetryCount, req.ErrorCausedByState = c.RetrierRetryCount, c.ErrorCausedByState
		req.MapIterationFailureCount, req.MapItemReaderData = c.MapIterationFailureCount, c.MapItemReaderData
	}
	res, err := s.engine.TestState(ctx, req)
	var refused *engine.TestStateError
	switch {
	case errors.As(err, &refused):
		return nil, clientError(refused.Code, "%s", refused.Message)
	case err != nil:
		return nil, internalError("%v", err)
	}
	out := testStateResponse{Status: res.Status, Error: res.Error, Cause: res.Cause, NextState: res.NextState}
	if res.HasOutput {
		text := jsonvalue.Text(res.Output)
		out.Output = &text
	}
	if res.Inspection != nil {
		out.InspectionData = inspectionData{}
		for _, m := range res.Inspection.Members() {
			out.InspectionData[m.Key] = json.RawMessage(jsonvalue.Text(m.Value))
		}
	}
	return out, nil
}
