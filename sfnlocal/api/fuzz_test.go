package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

const (
	fuzzMachineARN   = "arn:aws:states:us-east-1:000000000000:stateMachine:m"
	fuzzExpressARN   = "arn:aws:states:us-east-1:000000000000:stateMachine:e"
	fuzzExecutionARN = "arn:aws:states:us-east-1:000000000000:execution:m:x"
)

// fuzzServer is a fresh server holding a Standard machine "m" with an execution "x",
// and an Express machine "e", so that fuzzed requests reach past the lookups.
func fuzzServer(t testing.TB) *Server {
	s := NewServer(Options{Engine: engine.New(engine.Options{Clock: clock.NewVirtual(epoch), Tasks: task.NewRegistry(), Seed: 1}), MaxFinishedExecutions: 10})
	for _, setup := range []struct{ operation, body string }{
		{"CreateStateMachine", `{"name":"m","roleArn":"` + roleARN + `","definition":` + quote(passMachine) + `}`},
		{"CreateStateMachine", `{"name":"e","type":"EXPRESS","roleArn":"` + roleARN + `","definition":` + quote(passMachine) + `}`},
		{"StartExecution", `{"stateMachineArn":"` + fuzzMachineARN + `","name":"x"}`},
	} {
		if w := post(s, http.MethodPost, targetPrefix+setup.operation, setup.body); w.Code != http.StatusOK {
			t.Fatalf("setup %s: %s", setup.operation, w.Body)
		}
	}
	return s
}

// FuzzServeHTTP sends any operation name and body: the server must answer every
// request with a well-formed response (200, or an AWS-shaped client error) and never
// panic or fail internally.
func FuzzServeHTTP(f *testing.F) {
	seeds := map[string]string{
		"CreateStateMachine":             `{"name":"n","roleArn":"` + roleARN + `","definition":` + quote(workerMachine) + `,"type":"STANDARD","loggingConfiguration":{"level":"ALL"},"tracingConfiguration":{"enabled":true}}`,
		"DescribeStateMachine":           `{"stateMachineArn":"` + fuzzMachineARN + `"}`,
		"UpdateStateMachine":             `{"stateMachineArn":"` + fuzzMachineARN + `","definition":` + quote(failMachine) + `}`,
		"ListStateMachines":              `{"maxResults":1,"nextToken":"` + encodeToken(machinePageToken, "a") + `"}`,
		"DeleteStateMachine":             `{"stateMachineArn":"` + fuzzMachineARN + `"}`,
		"ValidateStateMachineDefinition": `{"definition":` + quote(`{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x":"$.y"}}}}`) + `,"severity":"WARNING","maxResults":1}`,
		"StartExecution":                 `{"stateMachineArn":"` + fuzzMachineARN + `#Case","name":"y","input":"{\"a\":[1,2]}"}`,
		"StartSyncExecution":             `{"stateMachineArn":"` + fuzzExpressARN + `","input":"{}","includedData":"METADATA_ONLY"}`,
		"DescribeExecution":              `{"executionArn":"` + fuzzExecutionARN + `"}`,
		"ListExecutions":                 `{"stateMachineArn":"` + fuzzMachineARN + `","statusFilter":"SUCCEEDED","maxResults":1,"nextToken":"` + encodeNumberToken(executionPageToken, 2) + `"}`,
		"StopExecution":                  `{"executionArn":"` + fuzzExecutionARN + `","error":"E","cause":"C"}`,
		"GetExecutionHistory":            `{"executionArn":"` + fuzzExecutionARN + `","maxResults":1,"reverseOrder":true,"includeExecutionData":false,"nextToken":"` + encodeNumberToken(historyPageToken, 2) + `"}`,
		"SendTaskSuccess":                `{"taskToken":"t","output":"{}"}`,
		"SendTaskFailure":                `{"taskToken":"t","error":"E","cause":"C"}`,
		"SendTaskHeartbeat":              `{"taskToken":"t"}`,
	}
	for operation, body := range seeds {
		f.Add(operation, []byte(body))
	}
	f.Add("Unknown", []byte(`{`))
	f.Fuzz(func(t *testing.T, operation string, body []byte) {
		s := fuzzServer(t)
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", targetPrefix+operation)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: the response is not JSON: %q", operation, w.Body)
		}
		switch w.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			var e errorBody
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Type == "" || e.Message == "" {
				t.Fatalf("%s: a malformed error: %s", operation, w.Body)
			}
		default:
			t.Fatalf("%s %q: status %d: %s", operation, body, w.Code, w.Body)
		}
	})
}
