// Package embedded is the whole saga on one machine, with nothing outside Go: the local
// Step Functions engine running THE definition, the eight handlers in-process, a
// DynamoDB endpoint on a loopback port with the stack's tables, and a topic that records
// what the saga publishes. `faresaga run`, the end-to-end tests and the benchmarks use it.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	miniserver "github.com/truora/minidyn/server"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// The simulated account everything lives in.
const (
	Region           = "us-east-1"
	Account          = "000000000000"
	StateMachineName = "FareCollection-local"
	RoleARN          = "arn:aws:iam::" + Account + ":role/FareCollection-local"
)

// StateMachineARN is the local machine's ARN.
var StateMachineARN = "arn:aws:states:" + Region + ":" + Account + ":stateMachine:" + StateMachineName

// TopicARN is the fare outcome topic's ARN.
var TopicARN = "arn:aws:sns:" + Region + ":" + Account + ":FareOutcomes-local"

// FunctionARN is the ARN a function of statemachine.Functions runs under locally.
func FunctionARN(name string) string {
	return "arn:aws:lambda:" + Region + ":" + Account + ":function:FareCollection-local-" + name
}

// Options configure a stack.
type Options struct {
	// Clock is the engine's and the handlers' clock: a virtual one runs retries and
	// waits instantly. Real time by default.
	Clock clock.Clock
	// Seed fixes retry jitter and generated ids; 0 picks one.
	Seed uint64
	// FaultInjection turns the customerId switches on, as in the dev stage.
	FaultInjection bool
	// DynamoDBAddress is where the DynamoDB endpoint listens; a free loopback port by default.
	DynamoDBAddress string
	// HandlerLogs receives the handlers' JSON logs; discarded when nil.
	HandlerLogs io.Writer
	// Mocks, when set, answer the Task states of executions started on a test case.
	Mocks *task.MockConfig
	// WrapFunctions, when set, stands between the engine and the Lambda handlers: a
	// fault injector delivers invocations twice, late, or not at all.
	WrapFunctions func(task.Integration) task.Integration
	// WrapDynamoDB, when set, stands between every DynamoDB client and the endpoint.
	WrapDynamoDB func(http.Handler) http.Handler
	// DynamoDBAttempts caps the SDK's own attempts per DynamoDB request (0: the SDK's
	// default). 1 lets throttling reach the handlers and the state machine's Retry.
	DynamoDBAttempts int
	// Gateway is the payment functions' gateway; nil: the simulated gateway, in memory.
	Gateway gateway.Gateway
}

// Stack is a running embedded stack.
type Stack struct {
	Engine      *engine.Engine
	Machine     *engine.Machine
	Tasks       *task.Registry
	Topic       *task.SNS
	DynamoDB    *dynamodb.Client
	DynamoDBURL string
	Services    lambdaenv.Services
	Clock       clock.Clock
	// Definition is THE definition with the local ARNs and names filled in.
	Definition string

	// Watcher is the attention watcher, fed the engine's status changes.
	Watcher *attention.Watcher

	watching *watching
	dynamo   *miniserver.Server
	server   *http.Server
	listener net.Listener
}

// Start serves the DynamoDB endpoint, creates the tables, and wires the engine.
func Start(opts Options) (*Stack, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.DynamoDBAddress == "" {
		opts.DynamoDBAddress = "127.0.0.1:0"
	}
	listener, err := net.Listen("tcp", opts.DynamoDBAddress)
	if err != nil {
		return nil, fmt.Errorf("listen for the local DynamoDB endpoint: %w", err)
	}
	s := &Stack{Clock: opts.Clock, listener: listener, dynamo: miniserver.NewServer()}
	handler := dynamotest.Guard(s.dynamo)
	if opts.WrapDynamoDB != nil {
		handler = opts.WrapDynamoDB(handler)
	}
	s.server = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(listener) }()
	s.DynamoDBURL = "http://" + listener.Addr().String()
	s.DynamoDB = dynamotest.NewClient(s.DynamoDBURL)
	if opts.DynamoDBAttempts > 0 {
		s.DynamoDB = dynamodb.New(s.DynamoDB.Options(), func(o *dynamodb.Options) { o.RetryMaxAttempts = opts.DynamoDBAttempts })
	}
	if err := tables.CreateAll(context.Background(), s.DynamoDB); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.wire(opts); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stack) wire(opts Options) error {
	logs := opts.HandlerLogs
	if logs == nil {
		logs = io.Discard
	}
	log := saga.NewLogger(logs, nil)
	injector := faults.New(opts.FaultInjection)
	now := opts.Clock.Now
	payments, err := payment.New(payment.Config{DynamoDB: s.DynamoDB, PaymentsTable: tables.Payments.Name, Gateway: opts.Gateway,
		FaultInjection: opts.FaultInjection, Now: now, Log: log}) // no gateway table: a simulated gateway keeps its state in memory
	if err != nil {
		return err
	}
	s.Services = lambdaenv.Services{
		Fare:    &fare.Service{DB: s.DynamoDB, Table: tables.Fares.Name, Faults: injector, Now: now, Log: log},
		Payment: payments,
		Account: &account.Service{DB: s.DynamoDB, Table: tables.CustomerAccounts.Name, Faults: injector, Now: now, Log: log},
	}

	env := task.Env{Region: Region, AccountID: Account, Now: now}
	functions := task.NewFunctions(env)
	values := map[string]string{
		statemachine.FaresTableName:      tables.Fares.Name,
		statemachine.FareOutcomeTopicArn: TopicARN,
	}
	handlers := s.Services.Handlers()
	for _, fn := range statemachine.Functions {
		functions.RegisterFunction(FunctionARN(fn.Name), handlers[fn.Name])
		values[fn.SubstitutionKey] = FunctionARN(fn.Name)
	}
	s.Topic = task.NewSNS(env, TopicARN)
	s.Tasks = task.NewRegistry()
	s.Tasks.UseFunctions(functions)
	if opts.WrapFunctions != nil {
		wrapped := opts.WrapFunctions(functions)
		s.Tasks.Handle(task.KindLambdaFunction, wrapped)
		s.Tasks.Handle(task.KindLambdaInvoke, wrapped)
	}
	s.Tasks.Handle(task.KindDynamoDB, task.NewDynamoDB(s.DynamoDB, env))
	s.Tasks.Handle(task.KindSNSPublish, s.Topic)
	if opts.Mocks != nil {
		s.Tasks.UseMocks(opts.Mocks)
	}

	definition, err := statemachine.Render(values)
	if err != nil {
		return err
	}
	s.Definition = definition
	if s.Machine, err = engine.Compile([]byte(definition)); err != nil {
		return fmt.Errorf("compile the fare-collection definition: %w", err)
	}
	s.Engine = engine.New(engine.Options{Clock: opts.Clock, Tasks: s.Tasks, Seed: opts.Seed, Region: Region, Account: Account})
	s.watching = &watching{stack: s, log: log, handled: map[runKey]chan struct{}{}, started: map[string]*engine.Execution{},
		redriveTokens: map[string][]string{}}
	s.Watcher = &attention.Watcher{Fares: s.Services.Fare, Executions: s.watching, Topic: recordingTopic{topic: s.Topic}, Log: log}
	s.Engine.OnStatusChange(s.watching.onStatusChange)
	return nil
}

// UseExecutions makes the watcher read histories from executions, for stacks whose
// executions start elsewhere than through StartNamed (the local Step Functions API).
func (s *Stack) UseExecutions(executions attention.Executions) { s.Watcher.Executions = executions }

// ClearTables empties every table (the gateway keeps its memory).
func (s *Stack) ClearTables() error { return s.dynamo.ClearAllTables() }

// Close stops the DynamoDB endpoint.
func (s *Stack) Close() error {
	err := s.server.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// StartFare starts an execution for a fare input, named after its fareId as the
// deployed stack's users do (a fare without one gets a name of its own).
func (s *Stack) StartFare(ctx context.Context, input string) (*engine.Execution, error) {
	return s.StartNamed(ctx, executionName(input), input)
}

// StartNamed starts an execution of input under name, whatever the input's fareId: what
// a client that picks its own execution names does. The engine, like Step Functions once
// it has forgotten an execution, does not refuse a name used before.
func (s *Stack) StartNamed(ctx context.Context, name, input string) (*engine.Execution, error) {
	x, err := s.Engine.Start(ctx, s.Machine, engine.StartInput{
		StateMachineName: StateMachineName, StateMachineARN: StateMachineARN,
		Name: name, ARN: "arn:aws:states:" + Region + ":" + Account + ":execution:" + StateMachineName + ":" + name,
		RoleARN: RoleARN, Input: input,
	})
	if err == nil {
		s.watching.remember(x)
	}
	return x, err
}

// OwnerOf is what the saga writes into every record an execution owns
// (saga.Execution.Owner): its ARN and its start time as the context object gives it.
func OwnerOf(x *engine.Execution) string {
	return saga.Execution{ID: x.ARN, StartTime: saga.ContextTime(x.StartTime)}.Owner()
}

// RunFare runs one fare to its end, and until the attention watcher has handled it.
func (s *Stack) RunFare(ctx context.Context, input string) (*engine.Execution, error) {
	x, err := s.StartFare(ctx, input)
	if err != nil {
		return nil, err
	}
	if err := s.Settled(ctx, x); err != nil {
		return nil, err
	}
	return x, nil
}

// executionName is the input's fareId when it is a valid one.
func executionName(input string) string {
	var fields struct {
		FareID string `json:"fareId"`
	}
	if json.Unmarshal([]byte(input), &fields) == nil && saga.ValidFareID(fields.FareID) {
		return fields.FareID
	}
	return fmt.Sprintf("unnamed-%d", time.Now().UnixNano())
}

// FareMessages returns the messages the topic received about one fare, oldest first:
// its outcome (COMPLETED or CANCELLED) and every alert that it needs attention.
func (s *Stack) FareMessages(fareID string) []task.Message {
	var out []task.Message
	for _, m := range s.Topic.Messages() {
		var body struct {
			FareID string `json:"fareId"`
		}
		if json.Unmarshal([]byte(m.Message), &body) == nil && body.FareID == fareID {
			out = append(out, m)
		}
	}
	return out
}
