package attention_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/statemachine"
)

// The reader is fed a history newest first and stops at what it looks for: the last
// state entered, the fare and execution of the newest task, and the saga's failure from
// the newest compensation that carries one.
func TestStopReader(t *testing.T) {
	execution := `{"id":"arn:aws:states:us-east-1:1:execution:m:fare-1","name":"fare-1","startTime":"2026-11-27T09:30:00.000Z"}`
	task := func(fare, failure string) string {
		payload := `{"fare":` + fare + `,"execution":` + execution
		if failure != "" {
			payload += `,"failure":` + failure
		}
		return `{"FunctionName":"arn:fn","Payload":` + payload + `}}`
	}
	type event struct{ entered, scheduled, started string }
	tests := []struct {
		name     string
		newest   []event
		want     attention.Stop
		complete bool
	}{
		{"nothing scheduled", []event{{entered: statemachine.RegisterFare}}, attention.Stop{State: statemachine.RegisterFare}, false},
		{
			"a forward step", []event{{scheduled: task(`{"fareId":"fare-1"}`, "")}, {entered: statemachine.ChargeFare}},
			attention.Stop{State: statemachine.ChargeFare, Fare: json.RawMessage(`{"fareId":"fare-1"}`),
				Execution: &saga.Execution{ID: "arn:aws:states:us-east-1:1:execution:m:fare-1", Name: "fare-1", StartTime: "2026-11-27T09:30:00.000Z"}},
			false,
		},
		{
			"a compensation, its failure, and older events not read",
			[]event{
				{scheduled: task(`{"fareId":"fare-1"}`, `{"state":"CreditCustomerAccount","error":"InjectedFailure"}`)},
				{entered: statemachine.RefundFare},
				{scheduled: task(`{"fareId":"older"}`, `{"state":"older"}`)},
				{entered: statemachine.ReverseCustomerCredit},
			},
			attention.Stop{State: statemachine.RefundFare, Fare: json.RawMessage(`{"fareId":"fare-1"}`),
				Execution: &saga.Execution{ID: "arn:aws:states:us-east-1:1:execution:m:fare-1", Name: "fare-1", StartTime: "2026-11-27T09:30:00.000Z"},
				Failure:   &saga.Failure{State: statemachine.CreditCustomerAccount, Error: "InjectedFailure"}},
			true,
		},
		{"stopped before any task: the execution's input", []event{{entered: statemachine.RegisterFare}, {started: `{"fareId":"fare-1"}`}},
			attention.Stop{State: statemachine.RegisterFare, Fare: json.RawMessage(`{"fareId":"fare-1"}`)}, false},
		{"a task's payload wins over the input", []event{{scheduled: task(`{"fareId":"fare-1","amount":1}`, "")}, {entered: statemachine.RegisterFare}, {started: `{"fareId":"input"}`}},
			attention.Stop{State: statemachine.RegisterFare, Fare: json.RawMessage(`{"fareId":"fare-1","amount":1}`),
				Execution: &saga.Execution{ID: "arn:aws:states:us-east-1:1:execution:m:fare-1", Name: "fare-1", StartTime: "2026-11-27T09:30:00.000Z"}},
			false},
		{"parameters that are no Lambda payload", []event{{scheduled: `{"TableName":"Fares"}`}, {scheduled: `not json`}, {entered: statemachine.SetFareStatusCompleted}},
			attention.Stop{State: statemachine.SetFareStatusCompleted}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r attention.StopReader
			for _, e := range tt.newest {
				if r.Complete() {
					break
				}
				switch {
				case e.entered != "":
					r.Entered(e.entered)
				case e.started != "":
					r.Started(e.started)
				default:
					r.Scheduled(e.scheduled)
				}
			}
			assert.Equal(t, tt.want, r.Stop())
			assert.Equal(t, tt.complete, r.Complete())
		})
	}
}

func TestChangeFromEventBridge(t *testing.T) {
	tests := []struct {
		name    string
		detail  string
		want    attention.Change
		wantErr string
	}{
		{
			"a status change",
			`{"executionArn":"arn:x:fare-1","name":"fare-1","status":"ABORTED","startDate":1764235800123,"error":"E","cause":"C","redriveCount":2}`,
			attention.Change{ExecutionARN: "arn:x:fare-1", Name: "fare-1", Status: "ABORTED",
				StartDate: time.Date(2025, 11, 27, 9, 30, 0, 123e6, time.UTC), Error: "E", Cause: "C", RedriveCount: 2},
			"",
		},
		{"no status", `{"executionArn":"arn:x"}`, attention.Change{}, "no executionArn or status"},
		{"not JSON", `{`, attention.Change{}, "not a Step Functions status change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := attention.ChangeFromEventBridge([]byte(tt.detail))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c)
		})
	}
}

func TestHandleEventTakesStatusChangesOnly(t *testing.T) {
	w := &attention.Watcher{}
	assert.ErrorContains(t, w.HandleEvent(context.Background(), "Some Other Event", []byte(`{}`)), attention.StatusChangeDetailType)
}

// What the watcher does with changes that leave nothing for an operator, on the embedded
// stack's tables: it writes and publishes nothing.
func TestChangesTheWatcherLeavesAlone(t *testing.T) {
	s, err := embedded.Start(embedded.Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 1, FaultInjection: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	declined, err := s.RunFare(ctx, embedded.FareInput("fare-declined", "cust_fail_auth"))
	require.NoError(t, err)
	before := len(s.Topic.Messages())
	tests := []struct {
		name   string
		change attention.Change
		want   attention.Outcome
	}{
		{"still running", attention.Change{ExecutionARN: declined.ARN, Name: "fare-declined", Status: "RUNNING"}, attention.Ignored},
		{"succeeded", attention.Change{ExecutionARN: declined.ARN, Name: "fare-declined", Status: "SUCCEEDED"}, attention.Ignored},
		{"a name that is no fareId", attention.Change{ExecutionARN: "arn:x:4111 1111 1111 1111", Name: "4111 1111 1111 1111", Status: "FAILED"}, attention.Ignored},
		{"a fare another execution owns", attention.Change{ExecutionARN: declined.ARN, Name: "fare-declined", Status: "FAILED",
			StartDate: declined.StartTime.Add(time.Hour)}, attention.Ignored},
		{"a fare its failure cancelled", attention.Change{ExecutionARN: declined.ARN, Name: "fare-declined", Status: "FAILED",
			StartDate: declined.StartTime}, attention.Ignored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outcome, why, err := s.Watcher.Handle(ctx, tt.change)
			require.NoError(t, err)
			assert.Equal(t, tt.want, outcome, why)
		})
	}
	record, _, err := s.Services.Fare.Get(ctx, "fare-declined")
	require.NoError(t, err)
	assert.Equal(t, fare.Cancelled, record.Status)
	assert.Len(t, s.Topic.Messages(), before, "nothing published")
}

func TestMessages(t *testing.T) {
	alert := attention.Alert{FareID: "fare-1", Status: "NEEDS_ATTENTION"}.Message()
	assert.True(t, alert.NeedsAttention)
	assert.False(t, alert.Successful)
	assert.Contains(t, alert.Body, `"fareId":"fare-1"`)
	completed := attention.Announcement{FareID: "fare-1", Status: string(fare.Completed)}.Message()
	assert.True(t, completed.Successful)
	assert.False(t, completed.NeedsAttention)
	cancelled := attention.Announcement{FareID: "fare-1", Status: string(fare.Cancelled)}.Message()
	assert.False(t, cancelled.Successful)
}
