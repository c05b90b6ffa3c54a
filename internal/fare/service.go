package fare

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/steperr"
)

// Service runs the fare service's steps against its Fares table.
type Service struct {
	DB     *dynamodb.Client
	Table  string
	Faults faults.Injector
	Now    func() time.Time
	Log    *slog.Logger
}

// RegisterFare validates the execution input and records the fare as REGISTERED. It
// returns the clean fare, which the state machine keeps for every later step.
//
// Running it twice registers once. A fare that was already cancelled (its compensation
// ran first, for a slow or late attempt) stays cancelled and the step does nothing.
func (s *Service) RegisterFare(ctx context.Context, in saga.StepInput) (saga.Fare, error) {
	fare, err := saga.ParseFare(in.Fare)
	if err == nil {
		err = saga.CheckOwnership(fare, in.Execution)
	}
	if err != nil {
		// A refused fare's fareId is logged empty: the refused input is not trusted.
		log := saga.StepLogger(s.Log, "RegisterFare", "", in.Attempt)
		log.Warn("fare rejected", "error", err.Error())
		return saga.Fare{}, err
	}
	log := saga.StepLogger(s.Log, "RegisterFare", fare.FareID, in.Attempt)
	if err := s.Faults.BeforeEffect(faults.Register, fare.CustomerID, in.Attempt); err != nil {
		log.Warn("fault injected before registering", "error", err.Error())
		return saga.Fare{}, err
	}
	if err := s.register(ctx, fare, *in.Execution, log); err != nil {
		log.Error("register failed", "error", err.Error())
		return saga.Fare{}, steperr.ForStepFunctions("register fare", err)
	}
	if err := s.Faults.AfterEffect(faults.Register, fare.CustomerID, in.Attempt); err != nil {
		log.Warn("fault injected after registering: response lost", "error", err.Error())
		return saga.Fare{}, err
	}
	return fare, nil
}

func (s *Service) register(ctx context.Context, fare saga.Fare, execution saga.Execution, log *slog.Logger) error {
	err := s.create(ctx, s.newRecord(fare, execution, Registered))
	if !errors.Is(err, errExists) {
		if err == nil {
			log.Info("fare registered", "status", Registered)
		}
		return err
	}
	return s.checkExisting(ctx, fare, execution, log)
}

// newRecord is the fare as its first write creates it, owned by execution.
func (s *Service) newRecord(fare saga.Fare, execution saga.Execution, status Status) Record {
	now := s.Now().UTC().Format(time.RFC3339Nano)
	record := Record{
		FareID: fare.FareID, CustomerID: fare.CustomerID, Money: fare.Money,
		Status: status, OwnerExecution: execution.Owner(), FareDigest: fare.Digest(),
		CreatedAt: now, UpdatedAt: now,
	}
	if s.Faults.HoldsCompletion(fare.CustomerID) {
		record.CompletionHold = "fault injection: " + faults.Switch("fail", faults.Complete)
	}
	return record
}

// errExists: create found a fare under that fareId already.
var errExists = errors.New("the fare exists")

// create writes a fare that does not exist yet.
func (s *Service) create(ctx context.Context, record Record) error {
	item, err := attributevalue.MarshalMap(record)
	if err != nil {
		return fmt.Errorf("encode fare: %w", err)
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.Table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(fareId)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return errExists
	}
	return err
}

// checkExisting decides what a second registration of the same fareId means: this
// execution's own registration again (a retry, a late duplicate), or a fare that another
// execution owns, which this one must leave alone whatever it holds.
func (s *Service) checkExisting(ctx context.Context, fare saga.Fare, execution saga.Execution, log *slog.Logger) error {
	existing, found, err := s.Get(ctx, fare.FareID)
	switch {
	case err != nil:
		return err
	case !found:
		return &steperr.UnexpectedError{Operation: "register fare", Detail: "the fare vanished between a refused write and its read"}
	case existing.OwnerExecution != execution.Owner():
		log.Warn("the fareId is taken by another execution's fare; nothing was written", "status", existing.Status)
		return saga.Conflict(fare.FareID, "the fare")
	case existing.FareDigest != fare.Digest():
		// One execution registers one input; a different fare under its name means the
		// payload was not the execution's input, and nothing of it is to be trusted.
		return &steperr.FareConflict{FareID: fare.FareID, Reason: "it is registered with different fields"}
	case existing.Status == Cancelled || existing.Status == NeedsAttention:
		log.Warn("fare was already compensated; registration does nothing", "status", existing.Status)
		return &steperr.FareAlreadyCompensated{FareID: fare.FareID, Step: "RegisterFare"}
	}
	log.Info("fare already registered; nothing to do", "status", existing.Status)
	return nil
}

// CancelFare is RegisterFare's compensation: the fare ends CANCELLED, with the failure
// that made the saga compensate. When the fare was never registered it writes a
// CANCELLED tombstone, so that a registration arriving late does nothing; that is the
// only write it makes, and no money is involved.
func (s *Service) CancelFare(ctx context.Context, in saga.StepInput) (saga.CompensationResult, error) {
	fare, err := saga.ParseFare(in.Fare)
	if err != nil {
		log := saga.StepLogger(s.Log, "CancelFare", "", in.Attempt)
		log.Info("nothing to cancel: the input was never a valid fare")
		return saga.CompensationResult{Outcome: saga.NotAFareOutcome, Detail: "the input was never a valid fare; nothing was written"}, nil
	}
	log := saga.StepLogger(s.Log, "CancelFare", fare.FareID, in.Attempt)
	if in.Execution == nil {
		// Without its execution a compensation cannot prove what is its own to undo, and
		// succeeding without undoing could leave a fare registered: an operator decides.
		log.Error("the payload carries no execution; refusing to guess what to cancel")
		return saga.CompensationResult{}, &steperr.UnexpectedError{Operation: "cancel fare", Detail: "the step payload carries no execution"}
	}
	if !in.Execution.Owns(fare.FareID) {
		log.Warn("the execution name is not the fareId: this execution owns nothing of the fare")
		return saga.NotOwned(fare.FareID, "the fareId is not this execution's name, so the fare"), nil
	}
	if err := s.Faults.BeforeEffect(faults.Cancel, fare.CustomerID, in.Attempt); err != nil {
		log.Warn("fault injected before cancelling", "error", err.Error())
		return saga.CompensationResult{}, err
	}
	if err := s.Faults.Outage(faults.Cancel, fare.CustomerID, in.RedriveCount); err != nil {
		log.Warn("outage injected: the fare table is unreachable until the saga is resumed", "error", err.Error())
		return saga.CompensationResult{}, err
	}
	result, err := s.cancel(ctx, fare, *in.Execution, in.Failure)
	if err != nil {
		log.Error("cancel failed", "error", err.Error())
		return saga.CompensationResult{}, steperr.ForStepFunctions("cancel fare", err)
	}
	log.Info("fare cancelled", "outcome", result.Outcome)
	if err := s.Faults.AfterEffect(faults.Cancel, fare.CustomerID, in.Attempt); err != nil {
		log.Warn("fault injected after cancelling: response lost", "error", err.Error())
		return saga.CompensationResult{}, err
	}
	return result, nil
}

func (s *Service) cancel(ctx context.Context, fare saga.Fare, execution saga.Execution, failure *saga.Failure) (saga.CompensationResult, error) {
	if failure == nil {
		failure = &saga.Failure{}
	}
	now := s.Now().UTC().Format(time.RFC3339Nano)
	values, err := attributevalue.MarshalMap(map[string]any{
		":cancelled": Cancelled, ":attention": NeedsAttention, ":now": now,
		":customerId": fare.CustomerID, ":amount": fare.Amount, ":currency": fare.Currency,
		":failedState": failure.State, ":failureError": failure.Error, ":failureCause": failure.Cause,
		":owner": execution.Owner(), ":digest": fare.Digest(),
	})
	if err != nil {
		return saga.CompensationResult{}, fmt.Errorf("encode cancellation: %w", err)
	}
	// The first cancellation records the failure; a repeated one changes nothing but
	// updatedAt. A fare an operator must look at is left as it is, and so is a fare that
	// another execution owns. A tombstone (no fare yet) is this execution's own.
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.Table),
		Key:       fareKey(fare.FareID),
		UpdateExpression: aws.String("SET #status = :cancelled, updatedAt = :now," +
			" cancelledAt = if_not_exists(cancelledAt, :now), createdAt = if_not_exists(createdAt, :now)," +
			" customerId = if_not_exists(customerId, :customerId), amount = if_not_exists(amount, :amount)," +
			" currency = if_not_exists(currency, :currency), failedState = if_not_exists(failedState, :failedState)," +
			" failureError = if_not_exists(failureError, :failureError), failureCause = if_not_exists(failureCause, :failureCause)," +
			" ownerExecution = if_not_exists(ownerExecution, :owner), fareDigest = if_not_exists(fareDigest, :digest)"),
		ConditionExpression:       aws.String("attribute_not_exists(fareId) OR (ownerExecution = :owner AND #status <> :attention)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllOld,
	})
	var refused *types.ConditionalCheckFailedException
	if errors.As(err, &refused) {
		return s.explainRefusedCancel(ctx, fare, execution)
	}
	if err != nil {
		return saga.CompensationResult{}, err
	}
	var before Record
	if err := attributevalue.UnmarshalMap(out.Attributes, &before); err != nil {
		return saga.CompensationResult{}, fmt.Errorf("decode previous fare: %w", err)
	}
	switch before.Status {
	case "":
		return saga.CompensationResult{FareID: fare.FareID, Outcome: "NOTHING_TO_CANCEL", Detail: "the fare was never registered; a CANCELLED tombstone fences a late registration"}, nil
	case Cancelled:
		return saga.CompensationResult{FareID: fare.FareID, Outcome: "ALREADY_CANCELLED"}, nil
	}
	return saga.CompensationResult{FareID: fare.FareID, Outcome: "CANCELLED", Detail: "was " + string(before.Status)}, nil
}

// explainRefusedCancel says why the cancellation's condition failed. Records are never
// deleted and their owner never changes, so what the read finds is what refused us.
func (s *Service) explainRefusedCancel(ctx context.Context, fare saga.Fare, execution saga.Execution) (saga.CompensationResult, error) {
	existing, found, err := s.Get(ctx, fare.FareID)
	switch {
	case err != nil:
		return saga.CompensationResult{}, err
	case found && existing.OwnerExecution != execution.Owner():
		return saga.NotOwned(fare.FareID, "the fare"), nil
	case found && existing.Status == NeedsAttention:
		return saga.CompensationResult{FareID: fare.FareID, Outcome: "LEFT_FOR_ATTENTION", Detail: "the fare is marked NEEDS_ATTENTION"}, nil
	}
	return saga.CompensationResult{}, &steperr.UnexpectedError{Operation: "cancel fare", Detail: "the cancellation was refused, yet the fare is this execution's and not marked NEEDS_ATTENTION"}
}
