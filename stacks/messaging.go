package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// OutcomeAttribute is the message attribute the state machine's sns:publish states set
// ("true" or "false", DataType String); the queues' subscriptions filter on it.
const OutcomeAttribute = "IsSuccessful"

// addMessaging creates the fare-outcome topic with its two filtered queues, and the
// operator-alerts topic the alarms notify.
func (s *FareCollectionStack) addMessaging(settings stageSettings) {
	s.FareOutcomeTopic = awssns.NewTopic(s.Stack, jsii.String("FareOutcomeTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Fare outcomes"),
		EnforceSSL:  jsii.Bool(true),
	})
	s.SuccessfulTransactions = s.outcomeQueue("SuccessfulTransactions", "true", settings)
	s.FailedTransactions = s.outcomeQueue("FailedTransactions", "false", settings)

	s.OperatorAlertsTopic = awssns.NewTopic(s.Stack, jsii.String("OperatorAlerts"), &awssns.TopicProps{
		DisplayName: jsii.String("Fare collection operator alerts"),
		EnforceSSL:  jsii.Bool(true),
	})
	// A topic policy replaces SNS's default one, which is what lets CloudWatch alarms of
	// this account publish: allow them again explicitly.
	s.OperatorAlertsTopic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowCloudWatchAlarms"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{s.OperatorAlertsTopic.TopicArn()},
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:SourceAccount": s.Account()},
			"ArnLike": map[string]interface{}{
				"aws:SourceArn": awscdk.Stack_Of(s.Stack).FormatArn(&awscdk.ArnComponents{
					Service:      jsii.String("cloudwatch"),
					Resource:     jsii.String("alarm"),
					ResourceName: jsii.String("*"),
					ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
				}),
			},
		},
	}))
}

// outcomeQueue creates a queue subscribed to the outcome topic for messages whose
// IsSuccessful attribute is isSuccessful.
func (s *FareCollectionStack) outcomeQueue(id, isSuccessful string, settings stageSettings) awssqs.Queue {
	queue := awssqs.NewQueue(s.Stack, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:   settings.removalPolicy,
	})
	s.FareOutcomeTopic.AddSubscription(awssnssubscriptions.NewSqsSubscription(queue, &awssnssubscriptions.SqsSubscriptionProps{
		FilterPolicy: &map[string]awssns.SubscriptionFilter{
			OutcomeAttribute: awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{
				Allowlist: jsii.Strings(isSuccessful),
			}),
		},
	}))
	return queue
}
