package api

import (
	"context"
	"strconv"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// Map runs: a DISTRIBUTED Map state's run, as DescribeMapRun, ListMapRuns and
// UpdateMapRun see it. The engine runs the iterations in the execution itself, not as
// child executions, so ListExecutions with a mapRunArn lists none.

const resourceMapRun = "mapRun"

type mapRunRequest struct {
	MapRunArn                  string   `json:"mapRunArn"`
	ExecutionArn               string   `json:"executionArn"`
	MaxResults                 int      `json:"maxResults"`
	NextToken                  string   `json:"nextToken"`
	MaxConcurrency             *int64   `json:"maxConcurrency"`
	ToleratedFailureCount      *int64   `json:"toleratedFailureCount"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage"`
}

type mapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

type describeMapRunResponse struct {
	MapRunArn                  string       `json:"mapRunArn"`
	ExecutionArn               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  timestamp    `json:"startDate"`
	StopDate                   *timestamp   `json:"stopDate,omitempty"`
	MaxConcurrency             int64        `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 mapRunCounts `json:"itemCounts"`
	ExecutionCounts            mapRunCounts `json:"executionCounts"`
	RedriveCount               int          `json:"redriveCount"`
	RedriveDate                *timestamp   `json:"redriveDate,omitempty"`
}

type mapRunListItem struct {
	ExecutionArn    string     `json:"executionArn"`
	MapRunArn       string     `json:"mapRunArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	StartDate       timestamp  `json:"startDate"`
	StopDate        *timestamp `json:"stopDate,omitempty"`
}

// mapRun finds a map run by its ARN among the executions kept.
func (st *store) mapRun(arn string) (*engine.MapRun, bool) {
	st.mu.RLock()
	all := make([]*storedExecution, 0, len(st.executions))
	for _, x := range st.executions {
		all = append(all, x)
	}
	st.mu.RUnlock()
	for _, x := range all {
		for _, run := range x.MapRuns() {
			if run.ARN == arn {
				return run, true
			}
		}
	}
	return nil, false
}

func (s *Server) lookupMapRun(arn string) (*engine.MapRun, *apiError) {
	if err := checkARN("mapRunArn", arn, resourceMapRun); err != nil {
		return nil, err
	}
	run, ok := s.store.mapRun(arn)
	if !ok {
		return nil, clientError(codeResourceNotFound, "Resource not found: '%s'", arn)
	}
	return run, nil
}

func (s *Server) describeMapRun(_ context.Context, in *mapRunRequest) (any, *apiError) {
	run, err := s.lookupMapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	st := run.State()
	counts := mapRunCounts{Pending: st.Pending, Running: st.Running, Succeeded: st.Succeeded, Failed: st.Failed,
		Aborted: st.Aborted, Total: st.Total, ResultsWritten: st.Succeeded + st.Failed}
	return describeMapRunResponse{
		MapRunArn: run.ARN, ExecutionArn: run.ExecutionARN, Status: st.Status,
		StartDate: stamp(run.StartDate), StopDate: optionalStamp(st.StopDate),
		MaxConcurrency: st.Settings.MaxConcurrency, ToleratedFailurePercentage: st.Settings.ToleratedFailurePercentage,
		ToleratedFailureCount: st.Settings.ToleratedFailureCount,
		ItemCounts:            counts, ExecutionCounts: counts,
		RedriveCount: st.RedriveCount, RedriveDate: optionalStamp(st.RedriveDate),
	}, nil
}

const mapRunPageToken = "mapRuns"

func (s *Server) listMapRuns(_ context.Context, in *mapRunRequest) (any, *apiError) {
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	after, err := decodeNumberToken(mapRunPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	runs := x.MapRuns()
	items := []mapRunListItem{}
	var next string
	for i := int(after); i < len(runs); i++ {
		if len(items) == limit {
			next = encodeToken(mapRunPageToken, strconv.Itoa(i))
			break
		}
		run := runs[i]
		items = append(items, mapRunListItem{ExecutionArn: run.ExecutionARN, MapRunArn: run.ARN,
			StateMachineArn: mapRunMachineARN(run.ARN), StartDate: stamp(run.StartDate), StopDate: optionalStamp(run.State().StopDate)})
	}
	return struct {
		MapRuns   []mapRunListItem `json:"mapRuns"`
		NextToken string           `json:"nextToken,omitempty"`
	}{items, next}, nil
}

// mapRunMachineARN is the ARN of the state machine AWS makes for a map run's child
// executions: the map run's "<machine>/<label>" as a stateMachine resource.
func mapRunMachineARN(arn string) string {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) < 7 {
		return arn
	}
	name := parts[6]
	if i := strings.LastIndex(name, ":"); i >= 0 {
		name = name[:i]
	}
	return strings.Join(parts[:5], ":") + ":stateMachine:" + name
}

func (s *Server) updateMapRun(_ context.Context, in *mapRunRequest) (any, *apiError) {
	run, err := s.lookupMapRun(in.MapRunArn)
	if err != nil {
		return nil, err
	}
	if in.MaxConcurrency == nil && in.ToleratedFailureCount == nil && in.ToleratedFailurePercentage == nil {
		return nil, clientError(codeValidation, "Must provide at least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount")
	}
	if in.MaxConcurrency != nil && *in.MaxConcurrency < 0 {
		return nil, validationError("maxConcurrency", *in.MaxConcurrency, "Member must have value greater than or equal to 0")
	}
	if in.ToleratedFailureCount != nil && *in.ToleratedFailureCount < 0 {
		return nil, validationError("toleratedFailureCount", *in.ToleratedFailureCount, "Member must have value greater than or equal to 0")
	}
	if p := in.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		return nil, validationError("toleratedFailurePercentage", *p, "Member must have value between 0 and 100")
	}
	run.Update(in.MaxConcurrency, in.ToleratedFailureCount, in.ToleratedFailurePercentage)
	return struct{}{}, nil
}
