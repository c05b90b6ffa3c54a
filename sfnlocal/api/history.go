package api

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
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
	n := uint64(x.History.Len())
	if next > n { // every token given names an event that exists
		return nil, invalidNextToken()
	}
	first, last, following := historyPage(n, next, limit, in.ReverseOrder)
	includeData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	var page []history.Event
	if includeData {
		page = x.History.Between(int(first), int(last)) // only the page is rendered
	} else {
		page = x.History.BetweenWithoutData(int(first), int(last))
	}
	if in.ReverseOrder {
		slices.Reverse(page)
	}
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

// historyPage picks, of n events, the ids from first to last of the page of up to limit
// events starting at id next (0: the first, or the last in reverse; a reverse page runs
// from last down to first), and the id the following page starts at (0: none).
func historyPage(n, next uint64, limit int, reverse bool) (first, last, following uint64) {
	if !reverse {
		start := max(next, 1)
		if start > n {
			return 1, 0, 0
		}
		end := min(start-1+uint64(limit), n)
		if end < n {
			following = end + 1
		}
		return start, end, following
	}
	start := n
	if next != 0 {
		start = min(next, n)
	}
	if start == 0 {
		return 1, 0, 0
	}
	first = 1
	if start > uint64(limit) {
		first = start - uint64(limit) + 1
		following = first - 1
	}
	return first, start, following
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
