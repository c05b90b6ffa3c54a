package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/jsii-runtime-go"
)

// MetricNamespace holds the stack's custom metrics.
const MetricNamespace = "Faresaga"

// addAlarms alarms on what needs a person, notifying the operator-alerts topic: a fare
// marked NEEDS_ATTENTION (first, or again after a resume that failed again), an aborted or
// timed-out execution, a status change the watcher could not handle, and outcome
// messages in a dead-letter queue. A failed execution is not alarmed on as such: a
// decline or bad input, fully compensated, also fails, and pages nobody; a failure that
// leaves its fare unfinished reaches the watcher and raises FareNeedsAttention.
func (s *FareCollectionStack) addAlarms() {
	opts := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
	// Any message in a dead-letter queue is one a consumer never got: alarm on the first.
	deadLetterOpts := &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}
	for _, a := range []struct {
		id, description string
		metric          awscloudwatch.Metric
	}{
		{"FareNeedsAttentionAlarm", "A fare needs attention: its execution stopped before the saga finished (see the runbook)", s.needsAttention.Metric(opts)},
		{"ExecutionsAbortedAlarm", "A fare-collection execution was stopped: its fare may need a resume", s.StateMachine.MetricAborted(opts)},
		{"ExecutionsTimedOutAlarm", "A fare-collection execution timed out: its fare may need a resume", s.StateMachine.MetricTimedOut(opts)},
		{"AttentionWatcherDeadLettersAlarm", "The attention watcher could not handle a status change: read AttentionWatcherDeadLetters",
			s.WatcherDeadLetters.MetricApproximateNumberOfMessagesVisible(deadLetterOpts)},
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
