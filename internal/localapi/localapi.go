// Package localapi is `faresaga local`: the embedded stack behind the Step Functions
// API (AWS JSON 1.0) and the DynamoDB API, on loopback. The CLI serves it; the
// integration tests start it in-process.
package localapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/api"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// Config is what a local server serves.
type Config struct {
	Listen, DynamoDBListen string // loopback addresses; port 0 picks a free one
	MaxFinished            int    // finished executions kept; 0 means the API's default
	MaxFinishedBytes       int64  // their estimated memory at most; 0 means the API's default
	VirtualTime            bool   // retries and Waits take no time
	MockConfigFile         string // Step Functions Local mocked responses, "" for none
	Seed                   uint64
}

// Server is a running local server.
type Server struct {
	Stack           *embedded.Stack
	Endpoint        string // the Step Functions API, http://host:port
	StateMachineARN string // the fare-collection machine
	api             *api.Server
	http            *http.Server
}

// Start serves the embedded stack's DynamoDB API and the Step Functions API in front of
// it, and creates the fare-collection state machine through that API, as a user would.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	opts := embedded.Options{Seed: cfg.Seed, FaultInjection: true, DynamoDBAddress: cfg.DynamoDBListen, Clock: clock.Real{}}
	if cfg.VirtualTime {
		opts.Clock = clock.NewVirtual(time.Now().UTC())
	}
	if cfg.MockConfigFile != "" {
		mocks, err := task.LoadMockConfig(cfg.MockConfigFile)
		if err != nil {
			return nil, fmt.Errorf("SFN_MOCK_CONFIG: %w", err)
		}
		opts.Mocks = mocks
	}
	stack, err := embedded.Start(opts)
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("listen for the Step Functions API: %w", err)
	}
	s := &Server{Stack: stack, Endpoint: "http://" + listener.Addr().String(),
		api: api.NewServer(api.Options{Engine: stack.Engine, MaxFinishedExecutions: cfg.MaxFinished, MaxFinishedBytes: cfg.MaxFinishedBytes, Mocks: opts.Mocks, Clock: opts.Clock})}
	s.http = &http.Server{Handler: s.api, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(listener) }()

	created, err := NewSFNClient(s.Endpoint).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(embedded.StateMachineName), Definition: aws.String(stack.Definition), RoleArn: aws.String(embedded.RoleARN),
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create the fare-collection state machine: %w", err)
	}
	s.StateMachineARN = aws.ToString(created.StateMachineArn)
	return s, nil
}

// Describe writes the endpoints, ARNs and names, and commands to try.
func (s *Server) Describe(w io.Writer) {
	fmt.Fprintf(w, "Step Functions API  %s\n", s.Endpoint)
	fmt.Fprintf(w, "DynamoDB API        %s\n", s.Stack.DynamoDBURL)
	fmt.Fprintf(w, "state machine       %s\n", s.StateMachineARN)
	for _, fn := range statemachine.Functions {
		fmt.Fprintf(w, "function            %s\n", embedded.FunctionARN(fn.Name))
	}
	for _, spec := range tables.All() {
		fmt.Fprintf(w, "table               %s\n", spec.Name)
	}
	fmt.Fprintf(w, "topic               %s (recorded in memory)\n", embedded.TopicARN)
	fmt.Fprintf(w, `
try:
  aws stepfunctions start-execution --endpoint-url %s --state-machine-arn %s \
    --name fare-0001 --input '{"fareId":"fare-0001","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"tok_visa_4242"}'
  aws dynamodb scan --endpoint-url %s --table-name Fares
Ctrl-C stops.
`, s.Endpoint, s.StateMachineARN, s.Stack.DynamoDBURL)
}

// Close stops serving; running executions are aborted.
func (s *Server) Close() {
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.http.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = s.http.Close()
	}
	s.api.Close()
	_ = s.Stack.Close()
}

// NewSFNClient is an ordinary sfn client for a local endpoint: static dummy
// credentials, so nothing looks for an AWS account, and no "sync-" host prefix (the SDK
// sends StartSyncExecution and TestState to sync-<host>, which 127.0.0.1 is not).
func NewSFNClient(endpoint string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region:       embedded.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(staticCredentials{}),
		APIOptions:   []func(*middleware.Stack) error{WithoutHostPrefix},
	})
}

// WithoutHostPrefix is the aws-sdk-go-v2 option that stops an sfn client prefixing the
// endpoint's host with "sync-": sfn.New(sfn.Options{..., APIOptions:
// []func(*middleware.Stack) error{localapi.WithoutHostPrefix}}).
func WithoutHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("WithoutHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

type staticCredentials struct{}

func (staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "faresaga"}, nil
}
