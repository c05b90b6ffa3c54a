package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/api"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// localConfig is what `faresaga local` serves.
type localConfig struct {
	listen, dynamoDBListen string
	maxFinished            int
	virtualTime            bool
	mockConfigFile         string
	seed                   uint64
}

// localServer is a running `faresaga local`.
type localServer struct {
	stack           *embedded.Stack
	api             *api.Server
	http            *http.Server
	endpoint        string // the Step Functions API, http://host:port
	stateMachineARN string
}

func localCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("local", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var cfg localConfig
	flags.StringVar(&cfg.listen, "listen", "127.0.0.1:8083", "`address` of the Step Functions API")
	flags.StringVar(&cfg.dynamoDBListen, "dynamodb-listen", "127.0.0.1:8084", "`address` of the DynamoDB API serving the saga's tables")
	flags.IntVar(&cfg.maxFinished, "max-finished", api.DefaultMaxFinishedExecutions, "finished executions kept before the oldest are forgotten")
	flags.BoolVar(&cfg.virtualTime, "virtual-time", false, "run retries and Waits on virtual time (instant) instead of the wall clock")
	flags.Uint64Var(&cfg.seed, "seed", 0, "seed of retry jitter and generated ids (0: random)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "faresaga local: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	cfg.mockConfigFile = os.Getenv("SFN_MOCK_CONFIG")
	srv, err := serveLocal(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga local: %v\n", err)
		return 1
	}
	srv.describe(stdout)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping: running executions are aborted")
	srv.close()
	return 0
}

// serveLocal starts the embedded stack, the Step Functions API in front of it, and
// creates the fare-collection state machine through that API, as a user would.
func serveLocal(ctx context.Context, cfg localConfig) (*localServer, error) {
	opts := embedded.Options{Seed: cfg.seed, FaultInjection: true, DynamoDBAddress: cfg.dynamoDBListen, Clock: clock.Real{}}
	if cfg.virtualTime {
		opts.Clock = clock.NewVirtual(time.Now().UTC())
	}
	if cfg.mockConfigFile != "" {
		mocks, err := task.LoadMockConfig(cfg.mockConfigFile)
		if err != nil {
			return nil, fmt.Errorf("SFN_MOCK_CONFIG: %w", err)
		}
		opts.Mocks = mocks
	}
	stack, err := embedded.Start(opts)
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		stack.Close()
		return nil, fmt.Errorf("listen for the Step Functions API: %w", err)
	}
	s := &localServer{stack: stack, endpoint: "http://" + listener.Addr().String(),
		api: api.NewServer(api.Options{Engine: stack.Engine, MaxFinishedExecutions: cfg.maxFinished, Mocks: opts.Mocks, Clock: opts.Clock})}
	s.http = &http.Server{Handler: s.api, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(listener) }()

	created, err := newSFNClient(s.endpoint).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(embedded.StateMachineName), Definition: aws.String(stack.Definition), RoleArn: aws.String(embedded.RoleARN),
	})
	if err != nil {
		s.close()
		return nil, fmt.Errorf("create the fare-collection state machine: %w", err)
	}
	s.stateMachineARN = aws.ToString(created.StateMachineArn)
	return s, nil
}

func (s *localServer) describe(w io.Writer) {
	fmt.Fprintf(w, "Step Functions API  %s\n", s.endpoint)
	fmt.Fprintf(w, "DynamoDB API        %s\n", s.stack.DynamoDBURL)
	fmt.Fprintf(w, "state machine       %s\n", s.stateMachineARN)
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
`, s.endpoint, s.stateMachineARN, s.stack.DynamoDBURL)
}

func (s *localServer) close() {
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.http.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = s.http.Close()
	}
	s.api.Close()
	_ = s.stack.Close()
}

// newSFNClient is an ordinary sfn client for a local endpoint: static dummy
// credentials, so nothing looks for an AWS account.
func newSFNClient(endpoint string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region:       embedded.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.NewCredentialsCache(staticCredentials{}),
	})
}

type staticCredentials struct{}

func (staticCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "faresaga"}, nil
}
