// Package intake is the front door of the saga: the only way clients start fares. It
// validates a fare before anything reaches Step Functions, whose execution history keeps
// every input for 90 days, and starts the execution itself: named after the fareId, with
// the canonical fare (saga.Fare.Input) as its input, so that nothing a client sent
// beyond the five validated fields is ever stored. It also answers where a fare stands.
//
//	POST /fares            202 started, 200 the same fare again, 409 another fare has the fareId, 400 refused
//	GET  /fares/{fareId}   200 where the fare stands, 404 no such fare
//
// The door is one http.Handler: the Lambda behind API Gateway serves it through
// internal/apigateway, and `faresaga local` serves it on loopback.
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// StepFunctions is what the door asks of Step Functions; *sfn.Client is one.
type StepFunctions interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// FaresReader is what the door reads of the Fares table; *dynamodb.Client is one.
type FaresReader interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Config is what a door is built from.
type Config struct {
	StepFunctions   StepFunctions
	DynamoDB        FaresReader
	StateMachineARN string // the fare-collection machine (a Standard workflow)
	FaresTable      string // the Fares table's name
	// Now is the clock of the request log's durations; time.Now when nil.
	Now func() time.Time
	// Log receives one JSON line per event, each with the fareId; discarded when nil.
	Log *slog.Logger
}

// MaxBodyBytes bounds what the door reads of a body: a fare is five short fields, and
// ParseFare refuses anything longer anyway.
const MaxBodyBytes = saga.MaxInputBytes

// Door is the front door's http.Handler.
type Door struct {
	cfg Config
	// executionPrefix is the ARN of the machine's execution of a name, without the name.
	executionPrefix string
	routes          []route
}

// New checks the configuration and returns the door.
func New(cfg Config) (*Door, error) {
	switch {
	case cfg.StepFunctions == nil || cfg.DynamoDB == nil:
		return nil, errors.New("intake: the Step Functions and DynamoDB clients are required")
	case cfg.FaresTable == "":
		return nil, errors.New("intake: the Fares table name is required")
	}
	prefix, ok := executionPrefix(cfg.StateMachineARN)
	if !ok {
		return nil, fmt.Errorf("intake: %q is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)", cfg.StateMachineARN)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	d := &Door{cfg: cfg, executionPrefix: prefix}
	d.routes = []route{
		{pattern: "/fares", endpoints: map[string]endpoint{
			http.MethodPost: {name: "POST /fares", jsonBody: true, serve: (*Door).submit},
		}},
		{pattern: "/fares/{fareId}", endpoints: map[string]endpoint{
			http.MethodGet: {name: "GET /fares/{fareId}", serve: (*Door).status},
		}},
		// POST /fares/{fareId}/resume joins here.
	}
	return d, nil
}

// executionPrefix turns arn:aws:states:r:a:stateMachine:M into arn:aws:states:r:a:execution:M:
// (a Standard execution's ARN is that followed by its name).
func executionPrefix(machineARN string) (string, bool) {
	parts := strings.Split(machineARN, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" || parts[6] == "" {
		return "", false
	}
	parts[5] = "execution"
	return strings.Join(parts, ":") + ":", true
}

func (d *Door) executionARN(fareID string) string { return d.executionPrefix + fareID }

// route is a path pattern ("/fares/{fareId}") and what each method does there.
type route struct {
	pattern   string
	endpoints map[string]endpoint
}

// endpoint is one method on one route.
type endpoint struct {
	// name is logged instead of the path, which may hold anything a client typed.
	name string
	// jsonBody: the request must declare a JSON body (else 415).
	jsonBody bool
	serve    func(d *Door, x *exchange) (status int, body any, err error)
}

// exchange is one request as an endpoint sees it.
type exchange struct {
	r      *http.Request
	params map[string]string
	// fareID is the fareId once it is known to be valid: every log line carries it, and
	// carries "" before, since a refused input is not to be trusted (or logged).
	fareID string
	door   *Door
}

func (x *exchange) log() *slog.Logger { return x.door.cfg.Log.With("fareId", x.fareID) }

// ServeHTTP finds the route, answers, and logs the answer.
func (d *Door) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	begin := d.cfg.Now()
	x := &exchange{r: r, door: d}
	name, status, body, err := d.dispatch(x)
	var answer *Error
	if err != nil {
		if !errors.As(err, &answer) {
			answer = &Error{Code: InternalError, Message: "the door failed; nothing was started", Err: err}
		}
		status, body = answer.Status(), answer.body()
		if answer.allow != "" {
			w.Header().Set("Allow", answer.allow)
		}
	}

	// Logged before the answer is written, so that a client that has its answer finds
	// the line written.
	attrs := []any{"route", name, "status", status, "durationMs", d.cfg.Now().Sub(begin).Milliseconds()}
	level := slog.LevelInfo
	if answer != nil {
		attrs = append(attrs, "code", answer.Code)
		if answer.Err != nil {
			attrs = append(attrs, "error", saga.RedactCardNumbers(answer.Err.Error()))
		}
		if status >= 500 {
			level = slog.LevelError
		}
	}
	x.log().Log(r.Context(), level, "answered", attrs...)
	writeJSON(w, status, body)
}

// dispatch runs the endpoint the request names. Its name is what the log says of the
// request: never the raw path.
func (d *Door) dispatch(x *exchange) (name string, status int, body any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Code: InternalError, Message: "the door failed", Err: fmt.Errorf("panic: %v", p)}
		}
	}()
	for _, rt := range d.routes {
		params, ok := match(rt.pattern, x.r.URL.Path)
		if !ok {
			continue
		}
		ep, ok := rt.endpoints[x.r.Method]
		if !ok {
			allowed := strings.Join(allowedMethods(rt), ", ")
			return rt.pattern, 0, nil, &Error{Code: MethodNotAllowed, Message: "this route answers " + allowed, allow: allowed}
		}
		if ep.jsonBody && !declaresJSON(x.r.Header.Get("Content-Type")) {
			return ep.name, 0, nil, &Error{Code: UnsupportedMediaType, Message: "send the body as Content-Type: application/json"}
		}
		x.params = params
		status, body, err = ep.serve(d, x)
		return ep.name, status, body, err
	}
	return "unknown", 0, nil, &Error{Code: NotFound, Message: "no such route: the door serves POST /fares and GET /fares/{fareId}"}
}

func allowedMethods(rt route) []string {
	var methods []string
	for method := range rt.endpoints {
		methods = append(methods, method)
	}
	slices.Sort(methods)
	return methods
}

// match matches a path against a pattern whose {name} segments match any one
// non-empty segment.
func match(pattern, path string) (map[string]string, bool) {
	want := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	got := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, segment := range want {
		if name, ok := strings.CutPrefix(segment, "{"); ok {
			if got[i] == "" {
				return nil, false
			}
			params[strings.TrimSuffix(name, "}")] = got[i]
			continue
		}
		if got[i] != segment {
			return nil, false
		}
	}
	return params, true
}

// declaresJSON accepts application/json and application/<anything>+json, with parameters.
func declaresJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == "application/json" || strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// readBody reads at most MaxBodyBytes, and refuses a longer body (as invalid fare input)
// without reading on.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, &Error{Code: InvalidFareInput, Message: "the body could not be read; nothing was started", Err: err}
	}
	if len(body) > MaxBodyBytes {
		return nil, &steperr.InvalidFareInput{Problems: []string{fmt.Sprintf("the body is larger than %d bytes; a fare is far smaller", MaxBodyBytes)}}
	}
	return body, nil
}

// writeJSON answers with a JSON body that no cache keeps.
func writeJSON(w http.ResponseWriter, status int, body any) {
	encoded, err := json.Marshal(body)
	if err != nil {
		status, encoded = http.StatusInternalServerError, []byte(`{"error":"InternalError","message":"the answer could not be encoded"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(encoded, '\n'))
}
