package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// post sends a raw request to the server, as a client the SDK does not guard would.
func post(s *Server, method, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestProtocolErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, method, target, body string
		status                     int
		code, part                 string
	}{
		{"unknown operation", "POST", "AWSStepFunctions.LaunchRocket", `{}`, 400, "UnknownOperationException", "LaunchRocket"},
		{"another service's target", "POST", "DynamoDB_20120810.GetItem", `{}`, 400, "UnknownOperationException", ""},
		{"no target", "POST", "", `{}`, 400, "UnknownOperationException", ""},
		{"not a POST", "GET", "AWSStepFunctions.ListStateMachines", ``, 400, "UnknownOperationException", "GET"},
		{"body is not JSON", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":`, 400, "SerializationException", ""},
		{"body is not an object", "POST", "AWSStepFunctions.ListStateMachines", `[1,2]`, 400, "SerializationException", ""},
		{"member of the wrong type", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":"ten"}`, 400, "SerializationException", "maxResults"},
		{"trailing data", "POST", "AWSStepFunctions.ListStateMachines", `{} {}`, 400, "SerializationException", ""},
		{"body too large", "POST", "AWSStepFunctions.ListStateMachines", `{"x":"` + strings.Repeat("x", MaxRequestBytes) + `"}`, 413, "RequestEntityTooLargeException", "4194304"},
		{"missing required member", "POST", "AWSStepFunctions.StartExecution", `{}`, 400, "ValidationException", "Value null at 'stateMachineArn'"},
		{"missing definition", "POST", "AWSStepFunctions.CreateStateMachine", `{"name":"m","roleArn":"arn:aws:iam::1:role/r"}`, 400, "ValidationException", "'definition'"},
		{"missing name", "POST", "AWSStepFunctions.CreateStateMachine", `{"definition":"{}"}`, 400, "ValidationException", "'name'"},
		{"missing task token", "POST", "AWSStepFunctions.SendTaskHeartbeat", `{}`, 400, "ValidationException", "'taskToken'"},
		{"missing output", "POST", "AWSStepFunctions.SendTaskSuccess", `{"taskToken":"t"}`, 400, "ValidationException", "'output'"},
		{"negative maxResults", "POST", "AWSStepFunctions.ListStateMachines", `{"maxResults":-1}`, 400, "ValidationException", "greater than or equal to 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := post(f.server, tt.method, tt.target, tt.body)
			assert.Equal(t, tt.status, w.Code)
			assert.Equal(t, contentType, w.Header().Get("Content-Type"))
			var body errorBody
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
			assert.Equal(t, tt.code, body.Type)
			assert.Contains(t, body.Message, tt.part)
		})
	}
}

func TestEmptyBodyIsAnEmptyRequest(t *testing.T) {
	f := newFixture(t)
	w := post(f.server, http.MethodPost, "AWSStepFunctions.ListStateMachines", "")
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"stateMachines":[]}`, w.Body.String())
	assert.NotEmpty(t, w.Header().Get("X-Amzn-RequestId"))
}

func TestTimestampsAreEpochSeconds(t *testing.T) {
	f := newFixture(t)
	w := post(f.server, http.MethodPost, "AWSStepFunctions.CreateStateMachine",
		`{"name":"m","roleArn":"`+roleARN+`","definition":`+quote(passMachine)+`}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var out map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	assert.Equal(t, float64(epoch.Unix()), out["creationDate"])
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
