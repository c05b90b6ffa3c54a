// Package stacks is the CDK app's infrastructure: FareCollectionStack and the stage
// settings it is built with. It is the only package that imports awscdk; the contract it
// deploys (the definition, the functions, the tables) comes from statemachine and
// internal/tables.
package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Stage is a deployment stage: it decides removal policies, fault injection and log
// retention.
type Stage string

const (
	Dev  Stage = "dev"
	Prod Stage = "prod"
)

// Stages lists the allowed stages; the first is the default.
var Stages = []Stage{Dev, Prod}

// StageContextKey is the CDK context key that selects the stage: cdk synth -c stage=prod.
const StageContextKey = "stage"

// ParseStage accepts "dev" or "prod"; "" means dev.
func ParseStage(s string) (Stage, error) {
	if s == "" {
		return Dev, nil
	}
	for _, stage := range Stages {
		if Stage(s) == stage {
			return stage, nil
		}
	}
	return "", fmt.Errorf("unknown stage %q: the context value %q must be one of %s",
		s, StageContextKey, allowedStages())
}

// StageFromContext reads the stage from the CDK context of scope (dev when unset).
func StageFromContext(scope constructs.Construct) (Stage, error) {
	v, err := contextString(scope, StageContextKey, allowedStages())
	if err != nil {
		return "", err
	}
	return ParseStage(v)
}

// contextString is the string value of a CDK context key, "" when unset; allowed says
// what it may be, for the error when it is not a string (cdk -c stage=1 passes a number).
func contextString(scope constructs.Construct, key, allowed string) (string, error) {
	switch v := scope.Node().TryGetContext(jsii.String(key)).(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("the context value %q must be a string, one of %s, not %v", key, allowed, v)
	}
}

// StackID is the stack's id, and so its name and template file: FareCollection-<stage>.
func StackID(stage Stage) string { return "FareCollection-" + string(stage) }

func allowedStages() string {
	names := make([]string, len(Stages))
	for i, stage := range Stages {
		names[i] = string(stage)
	}
	return strings.Join(names, ", ")
}

// stageSettings are the knobs a stage turns.
type stageSettings struct {
	removalPolicy        awscdk.RemovalPolicy // tables, queues and log groups
	deletionProtection   bool                 // tables
	faultInjection       string               // FAULT_INJECTION: enabled | disabled
	logRetention         awslogs.RetentionDays
	keyPendingWindowDays float64 // before a deleted KMS key is gone for good (7 to 30)
	reservedConcurrency  float64 // of every function: see reservedConcurrency below
}

// Reserved concurrency, per saga function (the door's is the API's burst limit, see
// addFrontDoor). A function's concurrency is its invocation rate times its duration. The
// front door admits FrontDoorRateLimit fares a second (burst FrontDoorBurstLimit), a fare
// invokes each function about once, and a function makes one to three DynamoDB round
// trips: well under 200 ms warm, so 50 fares a second keep about 10 instances of a
// function busy. prod reserves 50 of each: five times the steady need, so a burst is
// absorbed at once, while one runaway function (a retry storm, a loop) cannot starve
// the others or the account. What exceeds it is throttled
// (Lambda.TooManyRequestsException), which every Task retries. dev reserves 20: enough
// for the integration suite's 150 simultaneous fares, whose throttled first attempts
// the first retry absorbs. Both stages in one account reserve 8 x (50 + 20) + 2 x 100 =
// 760 of the account's concurrency quota; Lambda keeps 100 unreserved, so the quota must
// be at least 860 (the default is 1000; new accounts may start lower).
const (
	prodReservedConcurrency = 50
	devReservedConcurrency  = 20
)

func (s Stage) settings() stageSettings {
	if s == Prod {
		return stageSettings{
			removalPolicy:        awscdk.RemovalPolicy_RETAIN,
			deletionProtection:   true,
			faultInjection:       "disabled",
			logRetention:         awslogs.RetentionDays_ONE_YEAR,
			keyPendingWindowDays: 30,
			reservedConcurrency:  prodReservedConcurrency,
		}
	}
	return stageSettings{
		removalPolicy:        awscdk.RemovalPolicy_DESTROY,
		faultInjection:       "enabled",
		logRetention:         awslogs.RetentionDays_ONE_MONTH,
		keyPendingWindowDays: 7,
		reservedConcurrency:  devReservedConcurrency,
	}
}
