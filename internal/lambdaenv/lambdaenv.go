// Package lambdaenv reads a Lambda function's configuration from its environment, once,
// at start. The same variables configure the functions on AWS, on LocalStack (endpoint
// override through AWS_ENDPOINT_URL, which the SDK reads itself) and anywhere else.
package lambdaenv

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/tables"
)

// Variables the stack sets on every function, besides each table's variable.
const (
	FaultInjectionVar = "FAULT_INJECTION" // "enabled" turns the customerId switches on
	LogLevelVar       = "LOG_LEVEL"       // debug, info (default), warn or error
	// StateMachineARNVar is the machine the front door starts executions of.
	StateMachineARNVar = "STATE_MACHINE_ARN"
	// FareOutcomeTopicVar is the topic the attention watcher publishes its alerts to.
	FareOutcomeTopicVar = "FARE_OUTCOME_TOPIC_ARN"
)

// Env is what every handler is built from.
type Env struct {
	DynamoDB *dynamodb.Client
	Faults   faults.Injector
	Log      *slog.Logger
	Now      func() time.Time
	lookup   func(string) string
	aws      aws.Config // for the clients only some functions need
}

// Load reads the environment and builds the SDK clients, once per process.
func Load(ctx context.Context) (Env, error) {
	return load(ctx, os.Getenv)
}

func load(ctx context.Context, lookup func(string) string) (Env, error) {
	level, err := parseLevel(lookup(LogLevelVar))
	if err != nil {
		return Env{}, err
	}
	injection := lookup(FaultInjectionVar)
	if injection != "" && injection != "enabled" && injection != "disabled" {
		return Env{}, fmt.Errorf("%s must be enabled or disabled, not %q", FaultInjectionVar, injection)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return Env{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return Env{
		DynamoDB: dynamodb.NewFromConfig(cfg),
		Faults:   faults.New(injection == "enabled"),
		Log:      saga.NewLogger(os.Stdout, level),
		Now:      time.Now,
		lookup:   lookup,
		aws:      cfg,
	}, nil
}

// Table returns the deployed name of a table, from the variable its spec names.
func (e Env) Table(spec tables.Spec) (string, error) {
	name := e.lookup(spec.EnvVar)
	if name == "" {
		return "", fmt.Errorf("%s is not set: this function has no access to the %s table", spec.EnvVar, spec.Name)
	}
	return name, nil
}

func parseLevel(s string) (slog.Level, error) {
	var level slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := level.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("%s: %w", LogLevelVar, err)
	}
	return level, nil
}

// Must ends a function's start-up with a JSON log line when its configuration is
// wrong: Lambda reports the failed init, and no request is served half-configured.
func Must[T any](value T, err error) T {
	if err != nil {
		saga.NewLogger(os.Stderr, nil).Error("function configuration is invalid", "error", err.Error())
		os.Exit(1)
	}
	return value
}
