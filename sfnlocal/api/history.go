package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/history"
)

type getExecutionHistoryRequest struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	NextToken            string `json:"nextToken"`
	ReverseOrder         bool   `json:"reverseOrder"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

type getExecutionHistoryResponse struct {
	// Events are history.Event values, which marshal as AWS's wire shape, or the
	// generic maps left after stripping execution data.
	Events    []any  `json:"events"`
	NextToken string `json:"nextToken,omitempty"`
}

const historyPageToken = "history"

// getExecutionHistory pages through an execution's events. The token is the id of the
// next event to return, so pages stay exact while a running execution adds events.
func (s *Server) getExecutionHistory(_ context.Context, in *getExecutionHistoryRequest) (any, *apiError) {
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	next, err := decodeNumberToken(historyPageToken, in.NextToken)
	if err != nil {
		return nil, err
	}
	events := x.History.Events()
	if next > uint64(len(events)) { // every token given names an event that exists
		return nil, invalidNextToken()
	}
	page, following := historyPage(events, next, limit, in.ReverseOrder)
	includeData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := getExecutionHistoryResponse{Events: make([]any, len(page))}
	for i, event := range page {
		if out.Events[i] = event; !includeData {
			out.Events[i] = withoutExecutionData(event)
		}
	}
	if following != 0 {
		out.NextToken = encodeNumberToken(historyPageToken, following)
	}
	return out, nil
}

// historyPage picks up to limit events starting at event id next (0: the first, or the
// last in reverse), and the id the following page starts at (0: none).
func historyPage(events []history.Event, next uint64, limit int, reverse bool) (page []history.Event, following uint64) {
	n := uint64(len(events))
	if !reverse {
		start := max(next, 1)
		if start > n {
			return nil, 0
		}
		end := min(start-1+uint64(limit), n)
		if end < n {
			following = end + 1
		}
		return events[start-1 : end], following
	}
	start := n
	if next != 0 {
		start = min(next, n)
	}
	if start == 0 {
		return nil, 0
	}
	first := uint64(1)
	if start > uint64(limit) {
		first = start - uint64(limit) + 1
		following = first - 1
	}
	page = make([]history.Event, 0, start-first+1)
	for id := start; id >= first; id-- {
		page = append(page, events[id-1])
	}
	return page, following
}

// withoutExecutionData is an event with the inputs and outputs taken out of its
// details, for includeExecutionData=false. It works on the marshalled form so that
// every kind of details, present and future, is stripped alike.
func withoutExecutionData(event history.Event) any {
	data, err := json.Marshal(event)
	var fields map[string]any
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber() // the timestamp's digits as they were
	if err != nil || decoder.Decode(&fields) != nil {
		return event // cannot happen: an Event always marshals to an object
	}
	for key, value := range fields {
		details, ok := value.(map[string]any)
		if !ok || !strings.HasSuffix(key, "EventDetails") {
			continue
		}
		delete(details, "input")
		delete(details, "output")
	}
	return fields
}
