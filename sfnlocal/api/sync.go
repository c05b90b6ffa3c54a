package api

import (
	"context"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// payloadDetails says whether a payload is included in the response.
type payloadDetails struct {
	Included bool `json:"included"`
}

var included = &payloadDetails{Included: true}

type billingDetails struct {
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

type startSyncExecutionResponse struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	StartDate       timestamp       `json:"startDate"`
	StopDate        timestamp       `json:"stopDate"`
	Status          string          `json:"status"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	Input           *string         `json:"input,omitempty"`
	InputDetails    *payloadDetails `json:"inputDetails,omitempty"`
	Output          *string         `json:"output,omitempty"`
	OutputDetails   *payloadDetails `json:"outputDetails,omitempty"`
	BillingDetails  billingDetails  `json:"billingDetails"`
}

// startSyncExecution runs an Express execution to its end. If the caller goes away
// first, the execution is stopped: nobody is left to receive its result.
func (s *Server) startSyncExecution(ctx context.Context, in *startExecutionRequest) (any, *apiError) {
	metadataOnly := false
	switch in.IncludedData {
	case "", "ALL_DATA":
	case "METADATA_ONLY":
		metadataOnly = true
	default:
		return nil, validationError("includedData", in.IncludedData, "Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]")
	}
	x, err := s.start(in, true)
	if err != nil {
		return nil, err
	}
	result, waitErr := x.Wait(ctx)
	if waitErr != nil {
		x.Stop("", "")
		return nil, internalError("the request ended before the execution: %v", waitErr)
	}
	out := startSyncExecutionResponse{
		ExecutionArn: x.ARN, StateMachineArn: x.StateMachineARN, Name: x.Name,
		StartDate: stamp(x.StartTime), StopDate: stamp(result.StopTime), Status: syncStatus(result.Status),
		Error: result.Error, Cause: result.Cause, BillingDetails: bill(result.StopTime.Sub(x.StartTime)),
	}
	if !metadataOnly {
		out.Input, out.InputDetails = &x.Input, included
		if result.Status == engine.Succeeded {
			out.Output, out.OutputDetails = &result.Output, included
		}
	}
	return out, nil
}

// syncStatus maps an outcome onto the statuses StartSyncExecution knows: an aborted
// execution (the server closing) counts as failed.
func syncStatus(status engine.Status) string {
	if status == engine.Aborted {
		return string(engine.Failed)
	}
	return string(status)
}

// bill is what Express billing would charge: 64 MB, by the millisecond, at least 100 ms.
func bill(d time.Duration) billingDetails {
	ms := max(d.Milliseconds(), 100)
	return billingDetails{BilledMemoryUsedInMB: 64, BilledDurationInMilliseconds: ms}
}
