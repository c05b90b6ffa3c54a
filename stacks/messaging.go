package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
)

// OutcomeAttribute is the message attribute the state machine's sns:publish states set
// ("true" or "false", DataType String); the queues' subscriptions filter on it.
const OutcomeAttribute = "IsSuccessful"

// snsDeliveryKeyPolicyFlag is the CDK feature flag that conditions the key policy
// statement an SQS subscription adds for SNS on aws:SourceArn = the topic: without it,
// SNS could use the outcome key to deliver any topic's messages.
const snsDeliveryKeyPolicyFlag = "@aws-cdk/aws-sns-subscriptions:restrictSqsDescryption"

// OutcomeDeadLetterMaxReceives is how many times a consumer may receive an outcome
// message without deleting it before SQS moves it to the dead-letter queue.
const OutcomeDeadLetterMaxReceives = 5

// addMessaging creates the fare-outcome topic with its two filtered queues and their
// dead-letter queues, and the operator-alerts topic the alarms notify.
//
// Outcome messages carry the customerId, the amount and the gateway's authorisation and
// charge ids, so the topic and every queue they reach are encrypted under
// customer-managed keys, and reading one takes kms:Decrypt as well as
// sqs:ReceiveMessage. Two keys, because SNS must be allowed to encrypt into the queues
// for this topic only: a key policy naming the topic cannot belong to the key the
// topic itself is encrypted with (CloudFormation would have a cycle). The state machine
// may use the topic's key through SNS only (see addStateMachine); SNS may use the
// queues' key to deliver this topic's messages and nothing else: each subscription adds
// a key policy statement for sns.amazonaws.com, conditioned on the topic's ARN by
// snsDeliveryKeyPolicyFlag.
func (s *FareCollectionStack) addMessaging(settings stageSettings) {
	s.OutcomeTopicKey = s.outcomeKey("FareOutcomeTopicKey", "the fare outcome topic", settings)
	s.OutcomeQueuesKey = s.outcomeKey("FareOutcomeQueuesKey", "the fare outcome queues and their dead-letter queues", settings)
	s.FareOutcomeTopic = awssns.NewTopic(s.Stack, jsii.String("FareOutcomeTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Fare outcomes"),
		EnforceSSL:  jsii.Bool(true),
		MasterKey:   s.OutcomeTopicKey,
	})
	s.SuccessfulTransactions, s.SuccessfulTransactionsDeadLetters = s.outcomeQueue("SuccessfulTransactions", "true", settings)
	s.FailedTransactions, s.FailedTransactionsDeadLetters = s.outcomeQueue("FailedTransactions", "false", settings)

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

func (s *FareCollectionStack) outcomeKey(id, what string, settings stageSettings) awskms.Key {
	return awskms.NewKey(s.Stack, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String("faresaga " + string(s.Stage) + ": encrypts " + what),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     settings.removalPolicy,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(settings.keyPendingWindowDays)),
	})
}

// outcomeQueue creates a queue subscribed to the outcome topic for messages whose
// IsSuccessful attribute is isSuccessful, and its dead-letter queue. One dead-letter
// queue serves both ways a message can miss its consumer: a message received
// OutcomeDeadLetterMaxReceives times and never deleted (the queue's redrive policy), and
// one SNS could not deliver to the queue (the subscription's redrive policy). Both land
// as the same SNS envelope, so whoever drains it reads one format; an alarm says when
// anything is there (addAlarms).
func (s *FareCollectionStack) outcomeQueue(id, isSuccessful string, settings stageSettings) (queue, deadLetters awssqs.Queue) {
	deadLetters = awssqs.NewQueue(s.Stack, jsii.String(id+"DeadLetters"), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: s.OutcomeQueuesKey,
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:       settings.removalPolicy,
	})
	queue = awssqs.NewQueue(s.Stack, jsii.String(id), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: s.OutcomeQueuesKey,
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
		RemovalPolicy:       settings.removalPolicy,
		DeadLetterQueue: &awssqs.DeadLetterQueue{
			Queue:           deadLetters,
			MaxReceiveCount: jsii.Number(OutcomeDeadLetterMaxReceives),
		},
	})
	s.FareOutcomeTopic.AddSubscription(awssnssubscriptions.NewSqsSubscription(queue, &awssnssubscriptions.SqsSubscriptionProps{
		DeadLetterQueue: deadLetters,
		FilterPolicy: &map[string]awssns.SubscriptionFilter{
			OutcomeAttribute: awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{
				Allowlist: jsii.Strings(isSuccessful),
			}),
		},
	}))
	return queue, deadLetters
}
