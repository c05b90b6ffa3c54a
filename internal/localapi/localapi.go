// Package localapi is `faresaga local`: the embedded stack behind the Step Functions
// API (AWS JSON 1.0) and the DynamoDB API, the front door (internal/intake) in front
// of both, and the web console (internal/console) on the Step Functions listener, on
// loopback. The CLI serves it; the integration tests start it in-process.
package localapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/console"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fareclient"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/stripe"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/api"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// Config is what a local server serves.
type Config struct {
	Listen, DynamoDBListen string // loopback addresses; port 0 picks a free one
	// APIListen is where the front door listens (port 0 picks a free one); "" serves none.
	APIListen string
	// DoorLogs receives the door's and the console's JSON log lines; discarded when nil.
	DoorLogs    io.Writer
	MaxFinished int // finished executions kept; 0 means the API's default
	// MaxFinishedBytes bounds their estimated memory; 0 means the API's default.
	MaxFinishedBytes int64
	VirtualTime      bool   // retries and Waits take no time
	MockConfigFile   string // Step Functions Local mocked responses, "" for none
	Seed             uint64
	// Gateway is the payment gateway: "" or "simulated" (in memory), or "stripe": the
	// Stripe adapter against StripeURL, a Stripe-compatible endpoint such as stripe-mock,
	// with StripeKey ("": DefaultStripeKey).
	Gateway, StripeURL, StripeKey string
	// WrapFunctions, when set, stands between the engine and the Lambda handlers (see
	// embedded.Options): tests hold a fare in flight with it.
	WrapFunctions func(task.Integration) task.Integration
	// WrapDynamoDB, when set, stands in front of the DynamoDB endpoint (see
	// embedded.Options): tests record what each client does with it.
	WrapDynamoDB func(http.Handler) http.Handler
}

// DefaultStripeKey is the key sent to a local Stripe endpoint when none is given:
// stripe-mock takes any key of this form.
const DefaultStripeKey = "sk_test_faresagalocal"

// Server is a running local server.
type Server struct {
	Stack           *embedded.Stack
	Endpoint        string // the Step Functions API, http://host:port
	StateMachineARN string // the fare-collection machine
	DoorURL         string // the front door, http://host:port; "" when not served
	// ConsoleURL is the web console: the Step Functions listener's GET pages.
	ConsoleURL    string
	api           *api.Server
	http          *http.Server
	door          *http.Server
	doorTransport *http.Transport
	stripeURL     string // the Stripe endpoint, when the gateway is Stripe
	// consoleTransport carries the console's calls to the APIs it shows.
	consoleTransport *http.Transport
	consoleHandler   atomic.Pointer[console.Console]
}

// Start serves the embedded stack's DynamoDB API and the Step Functions API in front of
// it, and creates the fare-collection state machine through that API, as a user would.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	opts := embedded.Options{Seed: cfg.Seed, FaultInjection: true, DynamoDBAddress: cfg.DynamoDBListen, Clock: clock.Real{},
		WrapFunctions: cfg.WrapFunctions, WrapDynamoDB: cfg.WrapDynamoDB}
	if cfg.VirtualTime {
		opts.Clock = clock.NewVirtual(time.Now().UTC())
	}
	gw, err := paymentGateway(cfg, opts.Clock)
	if err != nil {
		return nil, err
	}
	opts.Gateway = gw
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
	if gw != nil {
		s.stripeURL = cfg.StripeURL
	}
	s.ConsoleURL = s.Endpoint + "/"
	s.http = &http.Server{Handler: apiOrConsole(s.api, http.HandlerFunc(s.serveConsole)), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(listener) }()

	created, err := NewSFNClient(s.Endpoint).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String(embedded.StateMachineName), Definition: aws.String(stack.Definition), RoleArn: aws.String(embedded.RoleARN),
	})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("create the fare-collection state machine: %w", err)
	}
	s.StateMachineARN = aws.ToString(created.StateMachineArn)
	// Executions start through the API here, not through the stack: the attention
	// watcher reads where they stopped through the API too, as it does on AWS.
	stack.UseExecutions(attention.SFNExecutions{Client: NewSFNClient(s.Endpoint)})
	if cfg.APIListen != "" {
		if err := s.serveDoor(cfg); err != nil {
			s.Close()
			return nil, err
		}
	}
	if err := s.startConsole(ctx, cfg); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// apiOrConsole shares one listener between the Step Functions API and the console: the
// API's requests are POSTs naming their operation in X-Amz-Target (AWS JSON 1.0), the
// console's are everything else (its pages, and its forms, which name none).
func apiOrConsole(sfnAPI, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
			sfnAPI.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// serveConsole serves the console once it is built (the API serves from the start, so
// that the console can be a client of it).
func (s *Server) serveConsole(w http.ResponseWriter, r *http.Request) {
	c := s.consoleHandler.Load()
	if c == nil {
		http.Error(w, "the console is starting", http.StatusServiceUnavailable)
		return
	}
	c.ServeHTTP(w, r)
}

// startConsole builds the console as a client of this server's APIs: Step Functions on
// this listener, the tables' DynamoDB endpoint, the door, and the recording topic.
func (s *Server) startConsole(ctx context.Context, cfg Config) error {
	s.consoleTransport = http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: s.consoleTransport, Timeout: 30 * time.Second}
	consoleCfg := console.Config{
		StepFunctions:       sfn.New(NewSFNClient(s.Endpoint).Options(), func(o *sfn.Options) { o.HTTPClient = client }),
		FareStateMachineARN: s.StateMachineARN,
		DynamoDB:            dynamodb.New(s.Stack.DynamoDB.Options(), func(o *dynamodb.Options) { o.HTTPClient = client }),
		Notifications:       topicNotifications{s.Stack},
		Log:                 cfg.logger(),
	}
	if s.DoorURL != "" {
		door, err := fareclient.New(ctx, s.DoorURL, fareclient.Options{HTTP: client})
		if err != nil {
			return err
		}
		consoleCfg.Door = door
	}
	c, err := console.New(consoleCfg)
	if err != nil {
		return err
	}
	s.consoleHandler.Store(c)
	return nil
}

// topicNotifications reads the embedded stack's recording topic for the console.
type topicNotifications struct{ stack *embedded.Stack }

func (t topicNotifications) AboutFare(fareID string) []console.Notification {
	var out []console.Notification
	for _, m := range t.stack.FareMessages(fareID) {
		n := console.Notification{Message: m.Message, Attributes: map[string]string{}}
		for name, a := range m.MessageAttributes {
			n.Attributes[name] = a.StringValue
		}
		out = append(out, n)
	}
	return out
}

// logger writes the door's and the console's JSON lines to DoorLogs.
func (cfg Config) logger() *slog.Logger {
	logs := cfg.DoorLogs
	if logs == nil {
		logs = io.Discard
	}
	return saga.NewLogger(logs, nil)
}

// serveDoor serves the front door: the same handler as the Lambda behind API Gateway,
// talking to this server's Step Functions API and DynamoDB endpoint over loopback.
func (s *Server) serveDoor(cfg Config) error {
	// The door's connections to the Step Functions API are closed before that API stops:
	// its graceful shutdown waits seconds for a connection dialled and never used.
	s.doorTransport = http.DefaultTransport.(*http.Transport).Clone()
	sfnClient := sfn.New(NewSFNClient(s.Endpoint).Options(), func(o *sfn.Options) { o.HTTPClient = &http.Client{Transport: s.doorTransport} })
	door, err := intake.New(intake.Config{
		StepFunctions:   sfnClient,
		DynamoDB:        s.Stack.DynamoDB,
		StateMachineARN: s.StateMachineARN,
		FaresTable:      tables.Fares.Name,
		Log:             cfg.logger(),
	})
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", cfg.APIListen)
	if err != nil {
		return fmt.Errorf("listen for the front door: %w", err)
	}
	s.DoorURL = "http://" + listener.Addr().String()
	// A fare is a few hundred bytes: a client that takes long to send one is not sending a fare.
	s.door = &http.Server{Handler: door, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go func() { _ = s.door.Serve(listener) }()
	return nil
}

// paymentGateway is the gateway cfg names; nil for the simulated one.
func paymentGateway(cfg Config, clk clock.Clock) (gateway.Gateway, error) {
	switch cfg.Gateway {
	case "", lambdaenv.SimulatedGateway:
		return nil, nil
	case lambdaenv.StripeGateway:
		if cfg.StripeURL == "" {
			return nil, errors.New("the stripe gateway needs the URL of a Stripe-compatible endpoint (--stripe-url)")
		}
		key := cmp.Or(cfg.StripeKey, DefaultStripeKey)
		return stripe.New(stripe.Config{URL: cfg.StripeURL, Bindings: stripe.NewMemoryBindings(), Now: clk.Now,
			APIKey: func(context.Context) (string, error) { return key, nil }})
	}
	return nil, fmt.Errorf("unknown gateway %q: use %q or %q", cfg.Gateway, lambdaenv.SimulatedGateway, lambdaenv.StripeGateway)
}

// Describe writes the endpoints, ARNs and names, and commands to try.
func (s *Server) Describe(w io.Writer) {
	fmt.Fprintf(w, "Step Functions API  %s\n", s.Endpoint)
	fmt.Fprintf(w, "web console         %s (open it in a browser)\n", s.ConsoleURL)
	fmt.Fprintf(w, "DynamoDB API        %s\n", s.Stack.DynamoDBURL)
	fmt.Fprintf(w, "state machine       %s\n", s.StateMachineARN)
	for _, fn := range statemachine.Functions {
		fmt.Fprintf(w, "function            %s\n", embedded.FunctionARN(fn.Name))
	}
	for _, spec := range tables.All() {
		fmt.Fprintf(w, "table               %s\n", spec.Name)
	}
	fmt.Fprintf(w, "topic               %s (recorded in memory)\n", embedded.TopicARN)
	if s.stripeURL != "" {
		fmt.Fprintf(w, "payment gateway     Stripe at %s\n", s.stripeURL)
	} else {
		fmt.Fprintf(w, "payment gateway     simulated (in memory)\n")
	}
	if s.DoorURL != "" {
		fmt.Fprintf(w, "front door          %s (POST /fares, GET /fares/{fareId})\n", s.DoorURL)
		fmt.Fprintf(w, `
start fares through the door (it validates, then starts the execution named after the fareId):
  curl -s -X POST %s/fares -H 'Content-Type: application/json' \
    -d '{"fareId":"fare-0001","customerId":"cust-42","amount":1250,"currency":"EUR","paymentToken":"tok_visa_4242"}'
  curl -s %s/fares/fare-0001
  faresaga start --endpoint %s --input fare.json
  faresaga status --endpoint %s fare-0001
`, s.DoorURL, s.DoorURL, s.DoorURL, s.DoorURL)
	}
	fmt.Fprintf(w, `
or the APIs behind it (a console-like start that bypasses the door's checks):
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
	if s.door != nil {
		if err := s.door.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = s.door.Close()
		}
		s.doorTransport.CloseIdleConnections()
	}
	if s.consoleTransport != nil {
		s.consoleTransport.CloseIdleConnections()
	}
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
