package integration

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/faresaga/faresaga/internal/fareclient"
)

// stackName is the deployed stack the deployed targets use.
func stackName() string {
	if name := os.Getenv("FARESAGA_STACK"); name != "" {
		return name
	}
	return "FareCollection-dev"
}

// deployedTimeouts are real time: a compensation that fails for good retries 9 times
// with backoff capped at 60 s (the definition's Comment has the arithmetic), and the
// compensations before it run first, so give it a quarter of an hour.
var deployedTimeouts = Timeouts{
	Execution:           5 * time.Minute,
	CompensationFailure: 15 * time.Minute,
	Message:             2 * time.Minute,
	Poll:                2 * time.Second,
}

// requiredOutputs are the stack outputs (stacks/stack.go addOutputs) the scenarios use.
var requiredOutputs = []string{
	"FareApiUrl", "StateMachineArn", "FaresTableName", "PaymentsTableName", "CustomerAccountsTableName",
	"SuccessfulTransactionsQueueUrl", "FailedTransactionsQueueUrl",
}

// readStackOutputs returns the stack's outputs by key.
func readStackOutputs(ctx context.Context, cfn *cloudformation.Client, stack string) (map[string]string, error) {
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return nil, err
	}
	if len(out.Stacks) == 0 {
		return nil, fmt.Errorf("stack %s not found", stack)
	}
	outputs := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	var missing []string
	for _, key := range requiredOutputs {
		if outputs[key] == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("stack %s (%s) lacks the outputs %s: redeploy it", stack, out.Stacks[0].StackStatus, strings.Join(missing, ", "))
	}
	return outputs, nil
}

// deployedTarget is a target made of the stack's outputs; fares go through the door at
// FareApiUrl, with requests signed by the target's credentials (the HTTP API uses IAM
// authorisation), and outcome messages come from the two SQS queues subscribed to the
// outcome topic. doorOptions adjust the door's client to the target.
func deployedTarget(ctx context.Context, name string, cfg aws.Config, outputs map[string]string, doorOptions ...func(*fareclient.Options)) (*Target, error) {
	doorURL := outputs["FareApiUrl"]
	region := cfg.Region
	if u, err := url.Parse(doorURL); err == nil && fareclient.RegionOf(u.Hostname()) != "" {
		region = fareclient.RegionOf(u.Hostname())
	}
	options := fareclient.Options{Signing: &fareclient.Signing{Credentials: cfg.Credentials, Region: region}}
	for _, adjust := range doorOptions {
		adjust(&options)
	}
	door, err := fareclient.New(ctx, doorURL, options)
	if err != nil {
		return nil, fmt.Errorf("the stack's FareApiUrl: %w", err)
	}
	// A hundred executions polled at once exceed DescribeExecution's request rate;
	// throttled calls are retried rather than failing the scenario.
	cfg.RetryMaxAttempts = 10
	queues := startQueueOutcomes(sqs.NewFromConfig(cfg), map[string]string{
		"SuccessfulTransactions": outputs["SuccessfulTransactionsQueueUrl"],
		"FailedTransactions":     outputs["FailedTransactionsQueueUrl"],
	})
	return &Target{
		Name:            name,
		DoorURL:         doorURL,
		Door:            door,
		SFN:             sfn.NewFromConfig(cfg),
		DynamoDB:        dynamodb.NewFromConfig(cfg),
		StateMachineARN: outputs["StateMachineArn"],
		Tables: TableNames{
			Fares:            outputs["FaresTableName"],
			Payments:         outputs["PaymentsTableName"],
			CustomerAccounts: outputs["CustomerAccountsTableName"],
		},
		Outcomes: queues,
		Timeouts: deployedTimeouts,
		close:    queues.Close,
	}, nil
}
