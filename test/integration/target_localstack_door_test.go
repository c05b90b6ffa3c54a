package integration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// doorFunction is the door's function name after the stack's (stacks.FrontDoorFunction;
// the suite does not import stacks, which would start jsii).
const doorFunction = "intake"

// localStackDoorEndpoint is where the LocalStack target sends fares.
type localStackDoorEndpoint struct {
	url   string
	close func()
}

// localStackDoor is the door's URL on LocalStack. Where LocalStack deployed the HTTP API,
// it is the stack's FareApiUrl. LocalStack 4.14.0 (the community image) has no API
// Gateway v2: its CloudFormation skips the API's resources and resolves FareApiUrl to a
// placeholder ("unknown"). Then the door's function is there without its API, and the
// target stands in for the API on loopback (localStackGateway).
func localStackDoor(cfg aws.Config, fareAPIURL string) (localStackDoorEndpoint, error) {
	if u, err := url.Parse(fareAPIURL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return localStackDoorEndpoint{url: fareAPIURL, close: func() {}}, nil
	}
	gateway, err := startLocalStackGateway(lambda.NewFromConfig(cfg), stackName()+"-"+doorFunction)
	if err != nil {
		return localStackDoorEndpoint{}, fmt.Errorf("FareApiUrl is %q (this LocalStack has no API Gateway v2), and the stand-in for it did not start: %w", fareAPIURL, err)
	}
	return localStackDoorEndpoint{url: gateway.url, close: gateway.close}, nil
}

// localStackGateway does what an API Gateway HTTP API with a Lambda integration does
// with a request: it hands the function an event of payload format 2.0 through Lambda
// Invoke, and answers with the response event the function returns. It does not check
// IAM signatures (LocalStack does not enforce IAM either) and lets the function answer
// every route.
type localStackGateway struct {
	lambda   *lambda.Client
	function string
	url      string
	server   *http.Server
}

// maxEventBody is what API Gateway accepts of a request body (10 MB); Lambda's
// synchronous payload limit (6 MB) is below it.
const maxEventBody = 10 << 20

func startLocalStackGateway(client *lambda.Client, function string) (*localStackGateway, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &localStackGateway{lambda: client, function: function, url: "http://" + listener.Addr().String()}
	g.server = &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = g.server.Serve(listener) }()
	return g, nil
}

func (g *localStackGateway) close() { _ = g.server.Close() }

func (g *localStackGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEventBody+1))
	if err != nil || len(body) > maxEventBody {
		gatewayError(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	payload, err := json.Marshal(requestEvent(r, body))
	if err != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	out, err := g.lambda.Invoke(r.Context(), &lambda.InvokeInput{FunctionName: aws.String(g.function), Payload: payload})
	if err != nil || out.FunctionError != nil {
		// API Gateway answers an integration that failed with a bare 500.
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	var response events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out.Payload, &response); err != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	writeResponseEvent(w, response)
}

// requestEvent is the payload format 2.0 event API Gateway makes of a request to the
// $default stage: headers lower-cased and repeated ones joined with commas, cookies apart,
// a body that is not text base64-encoded.
func requestEvent(r *http.Request, body []byte) events.APIGatewayV2HTTPRequest {
	headers := map[string]string{"host": r.Host}
	var cookies []string
	for name, values := range r.Header {
		if strings.EqualFold(name, "Cookie") {
			for _, v := range values {
				cookies = append(cookies, strings.Split(v, "; ")...)
			}
			continue
		}
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	source, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := time.Now().UTC()
	event := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "$default",
		RawPath:        r.URL.EscapedPath(),
		RawQueryString: r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   "$default",
			Stage:      "$default",
			DomainName: r.Host,
			RequestID:  fmt.Sprintf("localstack-%d", now.UnixNano()),
			Time:       now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: source, UserAgent: r.UserAgent(),
			},
		},
	}
	if utf8.Valid(body) {
		event.Body = string(body)
	} else {
		event.Body, event.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return event
}

func writeResponseEvent(w http.ResponseWriter, response events.APIGatewayV2HTTPResponse) {
	body := []byte(response.Body)
	if response.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(response.Body)
		if err != nil {
			gatewayError(w, http.StatusInternalServerError, "Internal Server Error")
			return
		}
		body = decoded
	}
	for name, value := range response.Headers {
		w.Header().Set(name, value)
	}
	for name, values := range response.MultiValueHeaders {
		for _, value := range values {
			w.Header().Add(name, value)
		}
	}
	for _, cookie := range response.Cookies {
		w.Header().Add("Set-Cookie", cookie)
	}
	status := response.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func gatewayError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, message)
}

// serialSubmissionsPerFare is the door's HTTP client on LocalStack: submissions of one
// fare (POST /fares with the same fareId) go one after another. The door relies on
// StartExecution refusing a second execution of one name; LocalStack's StartExecution
// looks the name up and then inserts without a lock, so two simultaneous starts can
// create two executions of one name. The scenarios that submit a fare several times at
// once then test the door's contract (one execution; 202 once, 200 after) one request
// at a time.
func serialSubmissionsPerFare() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &serialFares{next: http.DefaultTransport, fares: &keyedMutex{locks: map[string]*sync.Mutex{}}}}
}

type serialFares struct {
	next  http.RoundTripper
	fares *keyedMutex
}

func (s *serialFares) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/fares") || r.Body == nil {
		return s.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return nil, err
	}
	var fare struct {
		FareID string `json:"fareId"`
	}
	_ = json.Unmarshal(body, &fare) // no fareId: not a fare the door would start
	clone := r.Clone(r.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	clone.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if fare.FareID == "" {
		return s.next.RoundTrip(clone)
	}
	unlock := s.fares.lock(fare.FareID)
	defer unlock()
	response, err := s.next.RoundTrip(clone)
	if err != nil {
		return nil, err
	}
	// The door has answered once the body is read: keep the fare locked until then.
	answer, err := io.ReadAll(response.Body)
	_ = response.Body.Close()
	response.Body = io.NopCloser(bytes.NewReader(answer))
	if err != nil {
		return nil, errors.Join(errors.New("read the door's answer"), err)
	}
	return response, nil
}

// keyedMutex is one mutex per key, made on first use (a run has a few hundred fares).
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock locks key's mutex and returns its unlock.
func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	m, ok := k.locks[key]
	if !ok {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}
