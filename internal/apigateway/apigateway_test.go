package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// event is an HTTP API event as API Gateway sends it (payload format 2.0).
func event(method, rawPath string, change func(*events.APIGatewayV2HTTPRequest)) events.APIGatewayV2HTTPRequest {
	e := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: method + " " + rawPath, RawPath: rawPath,
		Headers: map[string]string{"host": "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "curl/8"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "$default", RequestID: "req-1", DomainName: "abc123.execute-api.eu-west-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7"},
		},
	}
	if change != nil {
		change(&e)
	}
	return e
}

// seen is what a handler saw of a request.
type seen struct {
	Method, Path, RawQuery, Host, RemoteAddr, Proto string
	Headers                                         map[string]string
	Body                                            string
	FareID                                          string // r.PathValue("fareId")
}

func TestEventsBecomeRequests(t *testing.T) {
	fare := `{"fareId":"fare-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`
	tests := []struct {
		name  string
		event events.APIGatewayV2HTTPRequest
		want  seen
	}{
		{"a POST with a text body", event("POST", "/fares", func(e *events.APIGatewayV2HTTPRequest) {
			e.Headers["content-type"] = "application/json"
			e.Body = fare
		}), seen{Method: "POST", Path: "/fares", Body: fare, Headers: map[string]string{"Content-Type": "application/json"}}},
		{"a base64 body", event("POST", "/fares", func(e *events.APIGatewayV2HTTPRequest) {
			e.Body, e.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(fare)), true
		}), seen{Method: "POST", Path: "/fares", Body: fare}},
		{"a path parameter", event("GET", "/fares/fare-1", func(e *events.APIGatewayV2HTTPRequest) {
			e.RouteKey, e.PathParameters = "GET /fares/{fareId}", map[string]string{"fareId": "fare-1"}
		}), seen{Method: "GET", Path: "/fares/fare-1", FareID: "fare-1"}},
		{"an escaped path", event("GET", "/fares/fare%201", nil), seen{Method: "GET", Path: "/fares/fare 1"}},
		{"a query string", event("GET", "/fares/fare-1", func(e *events.APIGatewayV2HTTPRequest) { e.RawQueryString = "a=1&a=2&b=%20" }),
			seen{Method: "GET", Path: "/fares/fare-1", RawQuery: "a=1&a=2&b=%20"}},
		{"a named stage in front of the path", event("GET", "/dev/fares/fare-1", func(e *events.APIGatewayV2HTTPRequest) { e.RequestContext.Stage = "dev" }),
			seen{Method: "GET", Path: "/fares/fare-1"}},
		{"a path that only starts like the stage", event("GET", "/developer/x", func(e *events.APIGatewayV2HTTPRequest) { e.RequestContext.Stage = "dev" }),
			seen{Method: "GET", Path: "/developer/x"}},
		{"no rawPath", event("GET", "/fares/fare-1", func(e *events.APIGatewayV2HTTPRequest) { e.RawPath = "" }),
			seen{Method: "GET", Path: "/fares/fare-1"}},
		{"headers and cookies", event("GET", "/", func(e *events.APIGatewayV2HTTPRequest) {
			e.Headers["x-forwarded-for"] = "203.0.113.7, 198.51.100.1"
			e.Cookies = []string{"a=1", "b=2"}
		}), seen{Method: "GET", Path: "/", Headers: map[string]string{"X-Forwarded-For": "203.0.113.7, 198.51.100.1", "Cookie": "a=1; b=2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got seen
			handler := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				got = seen{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto,
					Body: string(body), FareID: r.PathValue("fareId"), Headers: map[string]string{}}
				for name := range tt.want.Headers {
					got.Headers[name] = r.Header.Get(name)
				}
				assert.Equal(t, int64(len(body)), r.ContentLength)
			}))
			_, err := handler(context.Background(), tt.event)
			require.NoError(t, err)
			tt.want.Host, tt.want.RemoteAddr, tt.want.Proto = "abc123.execute-api.eu-west-1.amazonaws.com", "203.0.113.7", "HTTP/1.1"
			if tt.want.Headers == nil {
				tt.want.Headers = map[string]string{}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEventsThatAreNoRequestAreAnswered400(t *testing.T) {
	tests := map[string]events.APIGatewayV2HTTPRequest{
		"no method":         event("", "/fares", nil),
		"a body not base64": event("POST", "/fares", func(e *events.APIGatewayV2HTTPRequest) { e.Body, e.IsBase64Encoded = "{not base64", true }),
		"not a path":        event("GET", "fares", nil),
	}
	for name, e := range tests {
		t.Run(name, func(t *testing.T) {
			called := false
			out, err := Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))(context.Background(), e)
			require.NoError(t, err)
			assert.False(t, called)
			assert.Equal(t, http.StatusBadRequest, out.StatusCode)
			assert.True(t, json.Valid([]byte(out.Body)), out.Body)
		})
	}
}

func TestResponsesBecomeEvents(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    events.APIGatewayV2HTTPResponse
	}{
		{"a JSON answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = io.WriteString(w, `{"fareId":"fare-1"}`)
		}, events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"fareId":"fare-1"}`}},
		{"nothing written", func(http.ResponseWriter, *http.Request) {},
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}}},
		{"a body without a status", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") },
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}, Body: "ok"}},
		{"a second status is ignored", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusConflict)
			w.WriteHeader(http.StatusOK)
		}, events.APIGatewayV2HTTPResponse{StatusCode: 409, Headers: map[string]string{}}},
		{"repeated headers and cookies", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Vary", "Origin")
			w.Header().Add("Vary", "Accept")
			w.Header().Add("Set-Cookie", "a=1")
			w.Header().Add("Set-Cookie", "b=2; Secure")
		}, events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Vary": "Origin,Accept"}, Cookies: []string{"a=1", "b=2; Secure"}}},
		{"a binary body", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte{0xff, 0x00, 0xfe}) },
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}, Body: "/wD+", IsBase64Encoded: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Handler(tt.handler)(context.Background(), event("GET", "/", nil))
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
		})
	}
}

// The handler runs under aws-lambda-go's own wrapper, as on Lambda: the event as API
// Gateway documents it (aws-lambda-go's sample of an IAM-authorised request) decodes,
// and the answer encodes as payload format 2.0 expects.
func TestTheHandlerThroughLambdasWrapper(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join(lambdaEventsDir(t), "apigw-v2-request-iam.json"))
	require.NoError(t, err)
	handler := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "body": string(body)})
	}))
	raw, err := lambda.NewHandler(handler).Invoke(context.Background(), sample)
	require.NoError(t, err)
	var out struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	assert.Equal(t, 200, out.StatusCode)
	assert.Equal(t, "application/json", out.Headers["Content-Type"])
	assert.JSONEq(t, `{"method":"GET","path":"/my/path","query":"parameter1=value1&parameter1=value2&parameter2=value","body":"{\r\n\t\"a\": 1\r\n}"}`, out.Body)
}

// lambdaEventsDir is aws-lambda-go's directory of sample events, in the module cache.
func lambdaEventsDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	require.NoError(t, err)
	return filepath.Join(strings.TrimSpace(string(out)), "events", "testdata")
}
