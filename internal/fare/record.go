// Package fare is the fare service: it owns the Fares table and runs two steps of the
// saga, RegisterFare and its compensation CancelFare.
package fare

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/money"
)

// Status is where a fare stands. SetFareStatusCompleted (a direct DynamoDB integration
// in the state machine) writes COMPLETED; the attention watcher writes NEEDS_ATTENTION when
// the fare's execution stopped before the saga had finished, and a resume turns it back
// into REGISTERED.
type Status string

const (
	Registered     Status = "REGISTERED"
	Completed      Status = "COMPLETED"
	Cancelled      Status = "CANCELLED"
	NeedsAttention Status = "NEEDS_ATTENTION"
)

// Record is a Fares item. The payment token is not kept: the fare service has no use
// for it, and what is not stored cannot leak.
type Record struct {
	FareID     string `dynamodbav:"fareId"`
	CustomerID string `dynamodbav:"customerId,omitempty"`
	money.Money
	Status Status `dynamodbav:"status"`
	// OwnerExecution is the execution that registered the fare (or cancelled it before it
	// was registered): saga.Execution.Owner(). Only that execution changes the record.
	OwnerExecution string `dynamodbav:"ownerExecution,omitempty"`
	// FareDigest is saga.Fare.Digest() of the fare as registered: the front door tells a
	// fare submitted again from a different fare under the same fareId by it.
	FareDigest string `dynamodbav:"fareDigest,omitempty"`
	CreatedAt  string `dynamodbav:"createdAt,omitempty"`
	UpdatedAt  string `dynamodbav:"updatedAt,omitempty"`
	// CompletedAt and CancelledAt are set once, by the transition into that status.
	CompletedAt string `dynamodbav:"completedAt,omitempty"`
	CancelledAt string `dynamodbav:"cancelledAt,omitempty"`
	// CompletionHold, when present, makes SetFareStatusCompleted's condition fail: a fare
	// on hold cannot complete. Fault injection uses it to fail that step on purpose.
	CompletionHold string `dynamodbav:"completionHold,omitempty"`
	// The failure that made the saga compensate, recorded by CancelFare.
	FailedState  string `dynamodbav:"failedState,omitempty"`
	FailureError string `dynamodbav:"failureError,omitempty"`
	FailureCause string `dynamodbav:"failureCause,omitempty"`
	// Where the execution stopped the last time it left the fare unfinished, recorded by
	// the attention watcher: the state it stood in (a compensation that exhausted its
	// retries, or any state of an execution that was stopped or timed out), the execution's
	// status (FAILED, ABORTED, TIMED_OUT), and its error and cause.
	AttentionState           string `dynamodbav:"attentionState,omitempty"`
	AttentionError           string `dynamodbav:"attentionError,omitempty"`
	AttentionCause           string `dynamodbav:"attentionCause,omitempty"`
	AttentionExecutionStatus string `dynamodbav:"attentionExecutionStatus,omitempty"`
	AttentionAt              string `dynamodbav:"attentionAt,omitempty"`
	// Resumes counts the operator's resumes: each redrove the execution once, so it is the
	// redrive count the execution runs under since the last resume.
	Resumes   int    `dynamodbav:"resumes,omitempty"`
	ResumedAt string `dynamodbav:"resumedAt,omitempty"`
}

// ExecutionARN is the ARN of the execution that owns the fare (the part of
// OwnerExecution before its start time), "" when the record has no owner.
func (r Record) ExecutionARN() string {
	arn, _, _ := strings.Cut(r.OwnerExecution, "@")
	return arn
}

// Get reads a fare with a consistent read; found is false when there is none.
func (s *Service) Get(ctx context.Context, fareID string) (record Record, found bool, err error) {
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            fareKey(fareID),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Record{}, false, fmt.Errorf("get fare %s: %w", fareID, err)
	}
	if out.Item == nil {
		return Record{}, false, nil
	}
	if err := attributevalue.UnmarshalMap(out.Item, &record); err != nil {
		return Record{}, false, fmt.Errorf("decode fare %s: %w", fareID, err)
	}
	return record, true, nil
}

func fareKey(fareID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"fareId": &types.AttributeValueMemberS{Value: fareID}}
}
