package attention

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SFNExecutions is Step Functions through its API (AWS, or faresaga local's): it reads
// where an execution stopped from its history, describes and redrives executions.
type SFNExecutions struct{ Client SFN }

// SFN is what the watcher and resumes call of Step Functions; *sfn.Client is one.
type SFN interface {
	sfn.GetExecutionHistoryAPIClient
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, optFns ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
}

// Describe implements Redriver.
func (e SFNExecutions) Describe(ctx context.Context, executionARN string) (Execution, bool, error) {
	out, err := e.Client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	var missing *sfntypes.ExecutionDoesNotExist
	if errors.As(err, &missing) {
		return Execution{}, false, nil
	}
	if err != nil {
		return Execution{}, false, err
	}
	return Execution{ARN: aws.ToString(out.ExecutionArn), Status: string(out.Status), StartDate: aws.ToTime(out.StartDate),
		RedriveStatus: string(out.RedriveStatus), RedriveStatusReason: aws.ToString(out.RedriveStatusReason),
		RedriveCount: int(aws.ToInt32(out.RedriveCount))}, true, nil
}

// Redrive implements Redriver.
func (e SFNExecutions) Redrive(ctx context.Context, executionARN, clientToken string) error {
	_, err := e.Client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(executionARN), ClientToken: aws.String(clientToken)})
	var refused *sfntypes.ExecutionNotRedrivable
	if errors.As(err, &refused) {
		return fmt.Errorf("%w: %s", ErrNotRedrivable, aws.ToString(refused.Message))
	}
	return err
}

// historyPage is enough to reach the last state entered: after it come at most its own
// task events, a failure or abort, and the execution's end. The saga's failure may lie
// further back, behind a compensation's retries: historyPages bounds the search.
const (
	historyPage  = 100
	historyPages = 3
)

// Stopped implements Executions. It reads execution data (the compensations' payloads),
// so the caller needs kms:Decrypt on the machine's key.
func (e SFNExecutions) Stopped(ctx context.Context, executionARN string) (Stop, error) {
	pages := sfn.NewGetExecutionHistoryPaginator(e.Client, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(executionARN), ReverseOrder: true, MaxResults: historyPage,
		IncludeExecutionData: aws.Bool(true),
	})
	var r StopReader
	for n := 0; n < historyPages && pages.HasMorePages() && !r.Complete(); n++ {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return Stop{}, err
		}
		for _, event := range page.Events {
			if d := event.StateEnteredEventDetails; d != nil && enteredEvent(event.Type) {
				r.Entered(aws.ToString(d.Name))
			}
			if d := event.TaskScheduledEventDetails; d != nil {
				r.Scheduled(aws.ToString(d.Parameters))
			}
			if d := event.ExecutionStartedEventDetails; d != nil {
				r.Started(aws.ToString(d.Input))
			}
		}
	}
	return r.Stop(), nil
}

func enteredEvent(t sfntypes.HistoryEventType) bool {
	switch t {
	case sfntypes.HistoryEventTypeTaskStateEntered, sfntypes.HistoryEventTypeChoiceStateEntered,
		sfntypes.HistoryEventTypeFailStateEntered, sfntypes.HistoryEventTypePassStateEntered,
		sfntypes.HistoryEventTypeSucceedStateEntered, sfntypes.HistoryEventTypeWaitStateEntered,
		sfntypes.HistoryEventTypeParallelStateEntered, sfntypes.HistoryEventTypeMapStateEntered:
		return true
	}
	return false
}

// SNSTopic publishes to the fare-outcome topic with the attributes the state machine's
// own messages carry: IsSuccessful, and NeedsAttention on alerts, so that the
// failed-transactions queue and any subscription filtering on NeedsAttention receive them.
type SNSTopic struct {
	Client   *sns.Client
	TopicARN string
}

// Publish implements Topic.
func (t SNSTopic) Publish(ctx context.Context, m Message) error {
	_, err := t.Client.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(t.TopicARN),
		Message:           aws.String(m.Body),
		MessageAttributes: m.attributes(),
	})
	if err != nil {
		return fmt.Errorf("publish to %s: %w", t.TopicARN, err)
	}
	return nil
}

// attributes are m's SNS message attributes.
func (m Message) attributes() map[string]snstypes.MessageAttributeValue {
	attrs := map[string]snstypes.MessageAttributeValue{
		"IsSuccessful": {DataType: aws.String("String"), StringValue: aws.String(strconv.FormatBool(m.Successful))},
	}
	if m.NeedsAttention {
		attrs["NeedsAttention"] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("true")}
	}
	return attrs
}
