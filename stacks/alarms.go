package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
	"github.com/faresaga/faresaga/statemachine"
)

// MetricNamespace holds the stack's custom metrics.
const MetricNamespace = "Faresaga"

// FareNeedsAttentionPattern matches the state machine's log event for a fare whose
// compensation failed for good.
const FareNeedsAttentionPattern = `{ $.type = "FailStateEntered" && $.details.name = "` + statemachine.FareNeedsAttention + `" }`

// addAlarms alarms on failed and timed-out executions, on fares that need attention and
// on outcome messages in a dead-letter queue, notifying the operator-alerts topic.
func (s *FareCollectionStack) addAlarms() {
	filter := awslogs.NewMetricFilter(s.Stack, jsii.String("FareNeedsAttentionFilter"), &awslogs.MetricFilterProps{
		LogGroup:        s.stateMachineLogs,
		FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(FareNeedsAttentionPattern)),
		MetricNamespace: jsii.String(MetricNamespace),
		// Metric filters cannot add constant dimensions: the stage goes in the name so a
		// dev and a prod stack in one account do not share the metric.
		MetricName:  jsii.String(statemachine.FareNeedsAttention + "-" + string(s.Stage)),
		MetricValue: jsii.String("1"),
	})
	opts := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
	// Any message in a dead-letter queue is one a consumer never got: alarm on the first.
	deadLetterOpts := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}
	for _, a := range []struct {
		id, description string
		metric          awscloudwatch.Metric
	}{
		{"ExecutionsFailedAlarm", "A fare-collection execution failed", s.StateMachine.MetricFailed(opts)},
		{"ExecutionsTimedOutAlarm", "A fare-collection execution timed out", s.StateMachine.MetricTimedOut(opts)},
		{"FareNeedsAttentionAlarm", "A compensation failed for good: a fare needs attention", filter.Metric(opts)},
		{"SuccessfulTransactionsDeadLettersAlarm", "Fare outcomes (IsSuccessful=true) missed their consumer: read SuccessfulTransactionsDeadLetters",
			s.SuccessfulTransactionsDeadLetters.MetricApproximateNumberOfMessagesVisible(deadLetterOpts)},
		{"FailedTransactionsDeadLettersAlarm", "Fare outcomes (IsSuccessful=false) missed their consumer: read FailedTransactionsDeadLetters",
			s.FailedTransactionsDeadLetters.MetricApproximateNumberOfMessagesVisible(deadLetterOpts)},
	} {
		alarm := a.metric.CreateAlarm(s.Stack, jsii.String(a.id), &awscloudwatch.CreateAlarmOptions{
			AlarmDescription:   jsii.String(a.description),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(s.OperatorAlertsTopic))
	}
}
