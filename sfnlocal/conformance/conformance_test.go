package conformance

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func caseWith(t *testing.T, expect string) *Case {
	t.Helper()
	var c Case
	if err := json.Unmarshal([]byte(`{"expect":`+expect+`}`), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestCheckOutcome(t *testing.T) {
	tests := []struct {
		name   string
		expect string
		got    Outcome
		ok     bool
	}{
		{"equal output, any key order", `{"status":"SUCCEEDED","output":{"a":1,"b":[1,2]}}`, Outcome{Status: "SUCCEEDED", Output: `{"b":[1,2],"a":1.0}`}, true},
		{"different output", `{"status":"SUCCEEDED","output":{"a":1}}`, Outcome{Status: "SUCCEEDED", Output: `{"a":2}`}, false},
		{"missing key", `{"status":"SUCCEEDED","output":{"a":1}}`, Outcome{Status: "SUCCEEDED", Output: `{}`}, false},
		{"ignored pointer", `{"status":"SUCCEEDED","output":{"t":"x"},"ignore":["/output/t"]}`, Outcome{Status: "SUCCEEDED", Output: `{"t":"y"}`}, true},
		{"matched pointer", `{"status":"SUCCEEDED","output":{"id":"x"},"match":[{"path":"/output/id","regex":"arn:.*"}]}`, Outcome{Status: "SUCCEEDED", Output: `{"id":"arn:aws:1"}`}, true},
		{"unmatched pointer", `{"status":"SUCCEEDED","output":{"id":"x"},"match":[{"path":"/output/id","regex":"arn:.*"}]}`, Outcome{Status: "SUCCEEDED", Output: `{"id":"nope"}`}, false},
		{"status differs", `{"status":"FAILED","error":"E"}`, Outcome{Status: "SUCCEEDED", Output: `{}`}, false},
		{"error and text cause", `{"status":"FAILED","error":"E","cause":"because"}`, Outcome{Status: "FAILED", Error: "E", Cause: "because"}, true},
		{"JSON cause compared as JSON", `{"status":"FAILED","error":"E","cause":{"errorMessage":"m"}}`, Outcome{Status: "FAILED", Error: "E", Cause: `{ "errorMessage" : "m" }`}, true},
		{"null error means any", `{"status":"FAILED","error":null}`, Outcome{Status: "FAILED", Error: "whatever"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason := caseWith(t, tt.expect).CheckOutcome(tt.got)
			assert.Equal(t, tt.ok, reason == "", reason)
		})
	}
}

func TestCheckEvents(t *testing.T) {
	a, b, c := Event{Type: "ExecutionStarted"}, Event{Type: "PassStateEntered", Name: "P"}, Event{Type: "ExecutionSucceeded"}
	strict := &Case{Events: []Event{a, b, c}, EventsOrder: "strict"}
	assert.Empty(t, strict.CheckEvents([]Event{a, b, c}))
	assert.NotEmpty(t, strict.CheckEvents([]Event{a, c}))
	unordered := &Case{Events: []Event{a, b, b, c}, EventsOrder: "unordered"}
	assert.Empty(t, unordered.CheckEvents([]Event{a, b, b, c}))
	assert.NotEmpty(t, unordered.CheckEvents([]Event{a, b, c, c}))
	assert.Empty(t, (&Case{}).CheckEvents(nil), "no recorded events: nothing to compare")
}
