// Package apigateway serves an http.Handler from a Lambda function behind an API Gateway
// HTTP API (payload format 2.0): each event becomes an *http.Request, and what the handler
// writes becomes the response event. The handler cannot tell it from a plain HTTP server,
// so `faresaga local` serves the same one on loopback.
package apigateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is the Lambda handler that serves h.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, event events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, err := Request(ctx, event)
		if err != nil {
			// API Gateway never sends such an event; a test or a console invocation might.
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusBadRequest,
				Headers: map[string]string{"Content-Type": "application/json"},
				Body:    fmt.Sprintf(`{"error":"InvalidRequest","message":%q}`, err.Error())}, nil
		}
		w := &responseWriter{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w.event(), nil
	}
}

// Request is the HTTP request an event describes. The path is the route's as the
// client sent it, less the stage's name: API Gateway puts a named stage (not
// $default) in front of rawPath.
func Request(ctx context.Context, event events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	method := event.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("the event has no requestContext.http.method: is it an HTTP API event of payload format 2.0?")
	}
	rawPath := event.RawPath
	if rawPath == "" {
		rawPath = event.RequestContext.HTTP.Path
	}
	if stage := event.RequestContext.Stage; stage != "" && stage != "$default" {
		if rest, ok := strings.CutPrefix(rawPath, "/"+stage); ok && (rest == "" || rest[0] == '/') {
			rawPath = rest
		}
	}
	if rawPath == "" {
		rawPath = "/"
	}
	target, err := url.ParseRequestURI(rawPath)
	if err != nil {
		return nil, fmt.Errorf("the event's path is not a URL path: %w", err)
	}
	target.RawQuery = event.RawQueryString

	body := []byte(event.Body)
	if event.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(event.Body); err != nil {
			return nil, fmt.Errorf("the event's body is marked base64 but is not: %w", err)
		}
	}
	r, err := http.NewRequestWithContext(ctx, method, target.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.RequestURI = target.RequestURI()
	for name, value := range event.Headers {
		r.Header.Set(name, value) // API Gateway joins repeated headers with commas
	}
	if len(event.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(event.Cookies, "; "))
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = event.RequestContext.DomainName
	}
	r.Header.Del("Host")
	r.RemoteAddr = event.RequestContext.HTTP.SourceIP
	if major, minor, ok := http.ParseHTTPVersion(event.RequestContext.HTTP.Protocol); ok {
		r.Proto, r.ProtoMajor, r.ProtoMinor = event.RequestContext.HTTP.Protocol, major, minor
	}
	for name, value := range event.PathParameters {
		r.SetPathValue(name, value)
	}
	return r, nil
}

// responseWriter keeps what the handler writes, for the response event.
type responseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(p)
}

// event is the response event: headers joined with commas, as HTTP allows for all but
// Set-Cookie, which payload format 2.0 carries in cookies; a body that is not text goes
// base64-encoded.
func (w *responseWriter) event() events.APIGatewayV2HTTPResponse {
	w.WriteHeader(http.StatusOK)
	out := events.APIGatewayV2HTTPResponse{StatusCode: w.status, Headers: map[string]string{}}
	for name, values := range w.header {
		if name == "Set-Cookie" {
			out.Cookies = append(out.Cookies, values...)
			continue
		}
		out.Headers[name] = strings.Join(values, ",")
	}
	if utf8.Valid(w.body.Bytes()) {
		out.Body = w.body.String()
	} else {
		out.Body, out.IsBase64Encoded = base64.StdEncoding.EncodeToString(w.body.Bytes()), true
	}
	return out
}
