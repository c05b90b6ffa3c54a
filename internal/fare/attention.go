package fare

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/saga"
)

// Attention is where an execution stopped and left its fare unfinished.
type Attention struct {
	State           string // the state it stood in
	ExecutionStatus string // FAILED, ABORTED or TIMED_OUT
	Error, Cause    string
	// FailedState and FailureError are what the saga was compensating, when it was.
	FailedState, FailureError string
}

// ErrNotMarked: the fare is not, or no longer, the unfinished fare of that execution run
// (it ended, another execution owns it, or a resume came first); nothing was written.
var ErrNotMarked = errors.New("the fare was not marked: it is not this execution run's unfinished fare")

// MarkNeedsAttention records that the fare's execution stopped before the saga finished,
// during the run that follows redrives resumes. It only marks a REGISTERED fare that the
// execution owns, and only while the fare's resume count is still redrives: a resume that
// came in between has already taken the fare back.
func (s *Service) MarkNeedsAttention(ctx context.Context, fareID, owner string, redrives int, a Attention) (Record, error) {
	now := s.Now().UTC().Format(time.RFC3339Nano)
	values, err := attributevalue.MarshalMap(map[string]any{
		":registered": Registered, ":attention": NeedsAttention, ":owner": owner, ":resumes": redrives, ":now": now,
		":state": a.State, ":status": a.ExecutionStatus, ":error": a.Error, ":cause": a.Cause,
		":failedState": a.FailedState, ":failureError": a.FailureError,
	})
	if err != nil {
		return Record{}, fmt.Errorf("encode the attention mark: %w", err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table),
		Key:       fareKey(fareID),
		UpdateExpression: aws.String("SET #status = :attention, attentionState = :state, attentionExecutionStatus = :status," +
			" attentionError = :error, attentionCause = :cause, attentionAt = :now, updatedAt = :now," +
			" failedState = :failedState, failureError = :failureError"),
		ConditionExpression:       aws.String("#status = :registered AND ownerExecution = :owner AND " + resumesAre(redrives)),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	return s.decodeChange(out, err, fareID)
}

// MarkUnwrittenNeedsAttention writes the fare, NEEDS_ATTENTION, for an execution that
// stopped before its fare was written but after it had asked a Lambda to act on it: that
// invocation may still land (Lambda finishes what it started, and a delivery can come
// late), and a fare written once nobody watches any more would stay REGISTERED for good.
// Written first, the mark fences it: a late RegisterFare finds the fare already dealt
// with and writes nothing, and the operator's resume registers it and goes on. It fails
// with ErrNotMarked when the fare exists by now: the caller reads it and decides again.
func (s *Service) MarkUnwrittenNeedsAttention(ctx context.Context, f saga.Fare, execution saga.Execution, redrives int, a Attention) (Record, error) {
	record := s.newRecord(f, execution, NeedsAttention)
	record.AttentionState, record.AttentionExecutionStatus = a.State, a.ExecutionStatus
	record.AttentionError, record.AttentionCause, record.AttentionAt = a.Error, a.Cause, record.CreatedAt
	record.FailedState, record.FailureError = a.FailedState, a.FailureError
	record.Resumes = redrives
	err := s.create(ctx, record)
	if errors.Is(err, errExists) {
		return Record{}, ErrNotMarked
	}
	if err != nil {
		return Record{}, fmt.Errorf("write fare %s: %w", f.FareID, err)
	}
	return record, nil
}

// BeginResume takes a fare that needs attention back to REGISTERED, for the resume that
// redrives its execution for the nextRun-th time: the saga's steps then act on it again.
// It fails with ErrNotMarked unless the fare still needs attention and was last resumed
// before that run.
func (s *Service) BeginResume(ctx context.Context, fareID, owner string, nextRun int) (Record, error) {
	now := s.Now().UTC().Format(time.RFC3339Nano)
	values, err := attributevalue.MarshalMap(map[string]any{
		":registered": Registered, ":attention": NeedsAttention, ":owner": owner, ":next": nextRun, ":now": now,
	})
	if err != nil {
		return Record{}, fmt.Errorf("encode the resume: %w", err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       fareKey(fareID),
		UpdateExpression:          aws.String("SET #status = :registered, resumes = :next, resumedAt = :now, updatedAt = :now"),
		ConditionExpression:       aws.String("#status = :attention AND ownerExecution = :owner AND (attribute_not_exists(resumes) OR resumes < :next)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	return s.decodeChange(out, err, fareID)
}

// UndoResume puts back the mark BeginResume took away, when the redrive that was to
// follow it could not be made: the fare must not look in progress while nothing runs.
func (s *Service) UndoResume(ctx context.Context, fareID, owner string, run int, previous Record) (Record, error) {
	now := s.Now().UTC().Format(time.RFC3339Nano)
	values, err := attributevalue.MarshalMap(map[string]any{
		":registered": Registered, ":attention": NeedsAttention, ":owner": owner, ":run": run, ":previous": previous.Resumes, ":now": now,
	})
	if err != nil {
		return Record{}, fmt.Errorf("encode the undone resume: %w", err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       fareKey(fareID),
		UpdateExpression:          aws.String("SET #status = :attention, resumes = :previous, updatedAt = :now"),
		ConditionExpression:       aws.String("#status = :registered AND ownerExecution = :owner AND resumes = :run"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	return s.decodeChange(out, err, fareID)
}

// resumesAre is the condition that the fare was resumed n times: a fare never resumed has
// no count at all.
func resumesAre(n int) string {
	if n == 0 {
		return "(attribute_not_exists(resumes) OR resumes = :resumes)"
	}
	return "resumes = :resumes"
}

func (s *Service) decodeChange(out *dynamodb.UpdateItemOutput, err error, fareID string) (Record, error) {
	var refused *types.ConditionalCheckFailedException
	if errors.As(err, &refused) {
		return Record{}, ErrNotMarked
	}
	if err != nil {
		return Record{}, fmt.Errorf("update fare %s: %w", fareID, err)
	}
	var record Record
	if err := attributevalue.UnmarshalMap(out.Attributes, &record); err != nil {
		return Record{}, fmt.Errorf("decode fare %s: %w", fareID, err)
	}
	return record, nil
}
