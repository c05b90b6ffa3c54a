// Package api serves the AWS Step Functions HTTP API (the JSON 1.0 protocol the SDKs
// and the AWS CLI speak) over an embedded engine, so that unchanged clients can create
// state machines, run executions and read their histories locally.
package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// DefaultMaxFinishedExecutions is how many finished executions a server keeps when
// Options does not say.
const DefaultMaxFinishedExecutions = 1000

// DefaultMaxFinishedBytes is the memory, estimated, that the finished executions kept
// may hold when Options does not say: the oldest are forgotten first beyond it.
const DefaultMaxFinishedBytes = 256 << 20

// Options configure a Server. Engine is required; the other fields have defaults.
type Options struct {
	Engine *engine.Engine
	// Region and Account appear in the ARNs the server makes; by default the engine's.
	Region, Account string
	// MaxFinishedExecutions bounds the finished executions kept for Describe, List and
	// GetExecutionHistory; the oldest finished are forgotten first, running ones never.
	MaxFinishedExecutions int
	// MaxFinishedBytes bounds the same executions by their estimated memory (histories,
	// inputs, outputs), so that a few huge executions cannot exhaust the server.
	MaxFinishedBytes int64
	// Mocks is the mock configuration whose test cases StartExecution accepts as
	// <stateMachineArn>#<TestCase>; the engine's task registry must use the same one.
	Mocks *task.MockConfig
	// Clock dates state machines; by default the engine's.
	Clock clock.Clock
}

// Server is an http.Handler for the Step Functions API. It is safe for concurrent use.
type Server struct {
	engine          *engine.Engine
	region, account string
	mocks           *task.MockConfig
	clock           clock.Clock
	store           *store

	// ctx is the executions' context: they outlive the request that started them, and
	// end when the server is closed.
	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	// activityPoll is how long GetActivityTask waits for a task (AWS: 60 s).
	activityPoll time.Duration
}

// NewServer returns a server for opts.Engine.
func NewServer(opts Options) *Server {
	s := &Server{engine: opts.Engine, region: opts.Region, account: opts.Account, mocks: opts.Mocks, clock: opts.Clock}
	if s.region == "" {
		s.region = s.engine.Region()
	}
	if s.account == "" {
		s.account = s.engine.Account()
	}
	if s.clock == nil {
		s.clock = s.engine.Clock()
	}
	maxFinished := opts.MaxFinishedExecutions
	if maxFinished <= 0 {
		maxFinished = DefaultMaxFinishedExecutions
	}
	maxBytes := opts.MaxFinishedBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFinishedBytes
	}
	s.store = newStore(maxFinished, maxBytes)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.activityPoll = activityPoll
	return s
}

// Close aborts every running execution and waits for them to end.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		for _, x := range s.store.runningExecutions() {
			<-x.Done()
		}
	})
}

// operation decodes an operation's request and runs it.
type operation func(s *Server, ctx context.Context, body []byte) (any, *apiError)

// handle adapts an operation method to the dispatch table, decoding its request type.
func handle[Request any](method func(*Server, context.Context, *Request) (any, *apiError)) operation {
	return func(s *Server, ctx context.Context, body []byte) (any, *apiError) {
		in := new(Request)
		if err := decodeRequest(body, in); err != nil {
			return nil, err
		}
		return method(s, ctx, in)
	}
}

var operations = map[string]operation{
	"CreateStateMachine":               handle((*Server).createStateMachine),
	"DescribeStateMachine":             handle((*Server).describeStateMachine),
	"UpdateStateMachine":               handle((*Server).updateStateMachine),
	"ListStateMachines":                handle((*Server).listStateMachines),
	"DeleteStateMachine":               handle((*Server).deleteStateMachine),
	"ValidateStateMachineDefinition":   handle((*Server).validateStateMachineDefinition),
	"StartExecution":                   handle((*Server).startExecution),
	"StartSyncExecution":               handle((*Server).startSyncExecution),
	"DescribeExecution":                handle((*Server).describeExecution),
	"ListExecutions":                   handle((*Server).listExecutions),
	"StopExecution":                    handle((*Server).stopExecution),
	"RedriveExecution":                 handle((*Server).redriveExecution),
	"GetExecutionHistory":              handle((*Server).getExecutionHistory),
	"SendTaskSuccess":                  handle((*Server).sendTaskSuccess),
	"SendTaskFailure":                  handle((*Server).sendTaskFailure),
	"SendTaskHeartbeat":                handle((*Server).sendTaskHeartbeat),
	"PublishStateMachineVersion":       handle((*Server).publishStateMachineVersion),
	"ListStateMachineVersions":         handle((*Server).listStateMachineVersions),
	"DeleteStateMachineVersion":        handle((*Server).deleteStateMachineVersion),
	"CreateStateMachineAlias":          handle((*Server).createStateMachineAlias),
	"DescribeStateMachineAlias":        handle((*Server).describeStateMachineAlias),
	"UpdateStateMachineAlias":          handle((*Server).updateStateMachineAlias),
	"DeleteStateMachineAlias":          handle((*Server).deleteStateMachineAlias),
	"ListStateMachineAliases":          handle((*Server).listStateMachineAliases),
	"TagResource":                      handle((*Server).tagResource),
	"UntagResource":                    handle((*Server).untagResource),
	"ListTagsForResource":              handle((*Server).listTagsForResource),
	"DescribeStateMachineForExecution": handle((*Server).describeStateMachineForExecution),
	"CreateActivity":                   handle((*Server).createActivity),
	"DescribeActivity":                 handle((*Server).describeActivity),
	"DeleteActivity":                   handle((*Server).deleteActivity),
	"ListActivities":                   handle((*Server).listActivities),
	"GetActivityTask":                  handle((*Server).getActivityTask),
	"TestState":                        handle((*Server).testState),
	"DescribeMapRun":                   handle((*Server).describeMapRun),
	"ListMapRuns":                      handle((*Server).listMapRuns),
	"UpdateMapRun":                     handle((*Server).updateMapRun),
}

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newUUID())
	defer func() {
		// A bug must cost one request a 500, never the server.
		if p := recover(); p != nil {
			writeError(w, internalError("internal error: %v", p))
		}
	}()
	out, err := s.dispatch(r)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) dispatch(r *http.Request) (any, *apiError) {
	name, err := operationName(r)
	if err != nil {
		return nil, err
	}
	run, ok := operations[name]
	if !ok {
		return nil, clientError(codeUnknownOperation, "operation %s is not supported by this server", name)
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return run(s, r.Context(), body)
}
