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
	return s.transition(ctx, fareID,
		"SET #status = :attention, attentionState = :state, attentionExecutionStatus = :status,"+
			" attentionError = :error, attentionCause = :cause, attentionAt = :now, updatedAt = :now,"+
			" failedState = :failedState, failureError = :failureError",
		"#status = :registered AND ownerExecution = :owner AND "+resumesAre(redrives),
		map[string]any{
			":registered": Registered, ":attention": NeedsAttention, ":owner": owner, ":resumes": redrives,
			":state": a.State, ":status": a.ExecutionStatus, ":error": a.Error, ":cause": a.Cause,
			":failedState": a.FailedState, ":failureError": a.FailureError,
		})
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

// BeginResume takes the fare for the resume that redrives its execution for the
// nextRun-th time; resumes becomes nextRun. A fare that needs attention goes back to
// REGISTERED, so that the saga's steps act on it again. A fare still REGISTERED (its
// execution stopped and the watcher has not marked it yet) is claimed for that run, so
// that the watcher's mark of the stopped run, when it comes, is refused instead of
// landing on the resumed one. It fails with ErrNotMarked unless the fare still stands as
// from, and was resumed before that run (exactly the run before, when REGISTERED).
func (s *Service) BeginResume(ctx context.Context, fareID, owner string, from Status, nextRun int) (Record, error) {
	attributes := map[string]any{":registered": Registered, ":from": from, ":owner": owner, ":next": nextRun}
	condition := "#status = :from AND ownerExecution = :owner AND "
	switch from {
	case NeedsAttention:
		condition += "(attribute_not_exists(resumes) OR resumes < :next)"
	case Registered:
		condition += resumesAre(nextRun - 1)
		attributes[":resumes"] = nextRun - 1
	default:
		return Record{}, ErrNotMarked
	}
	return s.transition(ctx, fareID, "SET #status = :registered, resumes = :next, resumedAt = :now, updatedAt = :now", condition, attributes)
}

// UndoResume gives back what BeginResume took (the status and resume count of previous),
// when the redrive that was to follow could not be made: the fare must not look in
// progress while nothing runs.
func (s *Service) UndoResume(ctx context.Context, fareID, owner string, run int, previous Record) (Record, error) {
	return s.transition(ctx, fareID, "SET #status = :previousStatus, resumes = :previous, updatedAt = :now",
		"#status = :registered AND ownerExecution = :owner AND resumes = :run",
		map[string]any{":registered": Registered, ":previousStatus": previous.Status, ":owner": owner, ":run": run, ":previous": previous.Resumes})
}

// resumesAre is the condition that the fare was resumed n times: a fare never resumed has
// no count at all.
func resumesAre(n int) string {
	if n == 0 {
		return "(attribute_not_exists(resumes) OR resumes = :resumes)"
	}
	return "resumes = :resumes"
}

// transition applies update to the fare when condition holds (values are the
// expression's :names; :now is added, #status is the status), and returns the fare as
// it is after; ErrNotMarked when the condition failed and nothing changed.
func (s *Service) transition(ctx context.Context, fareID, update, condition string, values map[string]any) (Record, error) {
	values[":now"] = s.Now().UTC().Format(time.RFC3339Nano)
	encoded, err := attributevalue.MarshalMap(values)
	if err != nil {
		return Record{}, fmt.Errorf("encode the change of fare %s: %w", fareID, err)
	}
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       fareKey(fareID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: encoded,
		ReturnValues:              types.ReturnValueAllNew,
	})
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
