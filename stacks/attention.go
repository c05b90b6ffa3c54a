package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
)

// WatcherFunction is lambdas/<WatcherFunction>: the attention watcher.
const WatcherFunction = "attention"

// Watcher delivery: EventBridge retries a failed invocation for a day, Lambda's
// asynchronous invocation twice more; what still fails waits in a dead-letter queue, on
// which an alarm fires at the first message.
const (
	WatcherEventRetries     = 185
	WatcherEventMaxAgeHours = 24
	WatcherReservedFunction = 10 // status changes come one per stopped execution
)

// addWatcher creates the attention watcher: a function that EventBridge invokes for every
// execution of the machine that ends FAILED, ABORTED or TIMED_OUT, and that marks the fare
// NEEDS_ATTENTION and alerts when the execution left it unfinished. It reads and marks
// fares, reads the executions' histories (their data is under the execution-data key),
// and publishes to the outcome topic.
func (s *FareCollectionStack) addWatcher(settings stageSettings, asset string) {
	fares := s.Tables[tables.Fares.Name]
	s.WatcherDeadLetters = awssqs.NewQueue(s.Stack, jsii.String("AttentionWatcherDeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   settings.removalPolicy,
	})
	s.Watcher = s.newFunction(settings, functionProps{
		id:          "AttentionWatcher",
		name:        WatcherFunction,
		description: "faresaga " + WatcherFunction + ": marks fares left unfinished by a stopped execution NEEDS_ATTENTION, and alerts",
		asset:       asset,
		environment: map[string]*string{
			tables.Fares.EnvVar:           fares.TableName(),
			lambdaenv.FareOutcomeTopicVar: s.FareOutcomeTopic.TopicArn(),
		},
		dynamoDB:            []tableAccess{{tables.Fares.Name, fares, watcherFaresActions}},
		reservedConcurrency: WatcherReservedFunction,
		deadLetterQueue:     s.WatcherDeadLetters,
	})
	for _, statement := range []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadFareExecutionHistories"),
			Actions:   jsii.Strings("states:GetExecutionHistory"),
			Resources: &[]*string{s.executionsArn()},
		}),
		s.executionDataStatement("DecryptExecutionData", "kms:Decrypt"),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("PublishAlerts"),
			Actions:   jsii.Strings("sns:Publish"),
			Resources: &[]*string{s.FareOutcomeTopic.TopicArn()},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("EncryptAlerts"), Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources:  &[]*string{s.OutcomeTopicKey.KeyArn()},
			Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": "sns." + *s.Region() + ".amazonaws.com"}},
		}),
	} {
		s.Watcher.AddToRolePolicy(statement)
	}

	rule := awsevents.NewRule(s.Stack, jsii.String("StoppedExecutionsRule"), &awsevents.RuleProps{
		Description: jsii.String("faresaga " + string(s.Stage) + ": fare executions that ended FAILED, ABORTED or TIMED_OUT, to the attention watcher"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.states"),
			DetailType: jsii.Strings(attention.StatusChangeDetailType),
			Detail: &map[string]any{
				"stateMachineArn": []any{s.StateMachine.StateMachineArn()},
				"status":          []any{"FAILED", "ABORTED", "TIMED_OUT"},
			},
		},
	})
	rule.AddTarget(awseventstargets.NewLambdaFunction(s.Watcher, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: s.WatcherDeadLetters,
		RetryAttempts:   jsii.Number(WatcherEventRetries),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(WatcherEventMaxAgeHours)),
	}))

	s.needsAttention = awslogs.NewMetricFilter(s.Stack, jsii.String("FareNeedsAttentionFilter"), &awslogs.MetricFilterProps{
		LogGroup:        s.Watcher.LogGroup(),
		FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(FareNeedsAttentionPattern)),
		MetricNamespace: jsii.String(MetricNamespace),
		// Metric filters cannot add constant dimensions: the stage goes in the name so a
		// dev and a prod stack in one account do not share the metric.
		MetricName:  jsii.String("FareNeedsAttention-" + string(s.Stage)),
		MetricValue: jsii.String("1"),
	})
}

// FareNeedsAttentionPattern matches the watcher's log line for each alert: a fare marked
// NEEDS_ATTENTION, first or again after a resume that failed again.
const FareNeedsAttentionPattern = `{ $.msg = "` + attention.NeedsAttentionMessage + `" }`
