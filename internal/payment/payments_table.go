package payment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/faresaga/faresaga/internal/dynamo"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/tables"
)

// PaymentStatus is where a fare's payment stands in the Payments table.
type PaymentStatus string

const (
	PaymentPreauthorized PaymentStatus = "PREAUTHORIZED"
	PaymentCaptured      PaymentStatus = "CAPTURED"
	PaymentVoided        PaymentStatus = "VOIDED"
	PaymentRefunded      PaymentStatus = "REFUNDED"
)

// paymentStatusOf is the record status that mirrors a gateway status.
var paymentStatusOf = map[gateway.Status]PaymentStatus{
	gateway.StatusAuthorized: PaymentPreauthorized,
	gateway.StatusCaptured:   PaymentCaptured,
	gateway.StatusVoided:     PaymentVoided,
	gateway.StatusRefunded:   PaymentRefunded,
	// An expired authorisation holds nothing, like a voided one; the gateway keeps why.
	gateway.StatusExpired: PaymentVoided,
}

// statusTimestamp names the attribute that records when a status was reached.
var statusTimestamp = map[PaymentStatus]string{
	PaymentPreauthorized: "preauthorizedAt",
	PaymentCaptured:      "capturedAt",
	PaymentVoided:        "voidedAt",
	PaymentRefunded:      "refundedAt",
}

// Record is a Payments item. It holds gateway references, never the payment token or
// any card data.
type Record struct {
	FareID     string `dynamodbav:"fareId"`
	CustomerID string `dynamodbav:"customerId"`
	money.Money
	Status            PaymentStatus `dynamodbav:"status"`
	AuthorizationCode string        `dynamodbav:"authorizationCode"`
	ChargeID          string        `dynamodbav:"chargeId"`
	VoidID            string        `dynamodbav:"voidId"`
	RefundID          string        `dynamodbav:"refundId"`
	// CompensatedBy is the state that recorded the VOIDED or REFUNDED status, so a
	// compensation run again can tell its own earlier work from another step's.
	CompensatedBy string `dynamodbav:"compensatedBy"`
	// OwnerExecution is the execution that created the record (saga.Execution.Owner);
	// only it changes the record.
	OwnerExecution string `dynamodbav:"ownerExecution"`
	CreatedAt      string `dynamodbav:"createdAt"`
	UpdatedAt      string `dynamodbav:"updatedAt"`
}

// compensated reports whether a compensation has recorded this payment as undone (or,
// for a VOIDED record without an authorisation code, as never to be made).
func (r Record) compensated() bool {
	return r.Status == PaymentVoided || r.Status == PaymentRefunded
}

// errRecordChanged: a conditional write found the record not in the state it expected.
var errRecordChanged = errors.New("payment record is not in the expected state")

// writeCondition guards a write; values are those it uses beyond the written ones.
type writeCondition struct {
	expression string
	values     map[string]types.AttributeValue
}

var (
	// onlyIfNew: the first record of a fare, a pre-authorisation or a tombstone.
	onlyIfNew = writeCondition{expression: "attribute_not_exists(fareId)"}
	// notYetVoided lets a void upgrade a tombstone (a VOIDED record without voidId) but
	// never rewrite a recorded void or refund.
	notYetVoided = writeCondition{expression: "attribute_not_exists(voidId) AND attribute_not_exists(refundId)"}
	// notYetRefunded: a refund is the last word on a payment.
	notYetRefunded = writeCondition{expression: "attribute_not_exists(refundId)"}
)

// stillPreauthorized guards a capture: the record must still hold this authorisation,
// not yet captured nor compensated.
func stillPreauthorized(code string) writeCondition {
	return writeCondition{
		expression: "#status = :preauthorized AND authorizationCode = :expectedCode",
		values: map[string]types.AttributeValue{
			":preauthorized": dynamo.String(string(PaymentPreauthorized)),
			":expectedCode":  dynamo.String(code),
		},
	}
}

// paymentsTable is the repository of the Payments table.
type paymentsTable struct {
	db   DynamoDB
	name string
	now  func() time.Time
}

func (t paymentsTable) get(ctx context.Context, fareID string) (Record, bool, error) {
	item, err := dynamo.GetItem(ctx, t.db, t.name, tables.Payments.PartitionKey, fareID)
	if err != nil || item == nil {
		return Record{}, false, err
	}
	var rec Record
	if err := attributevalue.UnmarshalMap(item, &rec); err != nil {
		return Record{}, false, fmt.Errorf("decode payment of fare %s: %w", fareID, err)
	}
	return rec, true, nil
}

// change is one write to a fare's payment.
type change struct {
	status PaymentStatus
	auth   gateway.Authorization // the gateway references to record; none for a tombstone
	// compensatedBy names the state recording a compensation; "" for forward steps.
	compensatedBy string
	cond          writeCondition
}

// record applies ch to the fare's payment, creating the item if needed, when its
// condition holds and the record is owner's (or new); otherwise it returns
// errRecordChanged and writes nothing.
func (t paymentsTable) record(ctx context.Context, fare saga.Fare, owner string, ch change) error {
	now := dynamo.String(t.now().UTC().Format(time.RFC3339Nano))
	u := newUpdate()
	u.set("status", dynamo.String(string(ch.status)))
	u.set("updatedAt", now)
	u.set(statusTimestamp[ch.status], now)
	// The fare's own facts are written once, by whichever write creates the item.
	u.setIfAbsent("customerId", dynamo.String(fare.CustomerID))
	u.setIfAbsent("amount", &types.AttributeValueMemberN{Value: fmt.Sprint(fare.Amount)})
	u.setIfAbsent("currency", dynamo.String(fare.Currency))
	u.setIfAbsent("createdAt", now)
	u.setIfAbsent("ownerExecution", dynamo.String(owner))
	for _, ref := range []struct{ attribute, value string }{
		{"authorizationCode", ch.auth.Code}, {"chargeId", ch.auth.ChargeID}, {"voidId", ch.auth.VoidID},
		{"refundId", ch.auth.RefundID}, {"compensatedBy", ch.compensatedBy},
	} {
		if ref.value != "" {
			u.set(ref.attribute, dynamo.String(ref.value))
		}
	}
	maps.Copy(u.values, ch.cond.values)
	// The record's owner only: the placeholders are the ones setIfAbsent made above.
	condition := "(" + ch.cond.expression + ") AND (attribute_not_exists(fareId) OR #ownerExecution = :ownerExecution)"
	_, err := t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.name),
		Key:                       map[string]types.AttributeValue{tables.Payments.PartitionKey: dynamo.String(fare.FareID)},
		UpdateExpression:          aws.String("SET " + strings.Join(u.clauses, ", ")),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  u.names,
		ExpressionAttributeValues: u.values,
	})
	if dynamo.LostConditionRace(err) {
		return errRecordChanged
	}
	return err
}

// update builds a SET expression. Every attribute goes through a name placeholder, so
// reserved words such as "status" need no special care.
type update struct {
	clauses []string
	names   map[string]string
	values  map[string]types.AttributeValue
}

func newUpdate() *update {
	return &update{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

func (u *update) set(attribute string, value types.AttributeValue) {
	u.add(attribute, value, "#%[1]s = :%[1]s")
}

func (u *update) setIfAbsent(attribute string, value types.AttributeValue) {
	u.add(attribute, value, "#%[1]s = if_not_exists(#%[1]s, :%[1]s)")
}

func (u *update) add(attribute string, value types.AttributeValue, clause string) {
	u.clauses = append(u.clauses, fmt.Sprintf(clause, attribute))
	u.names["#"+attribute] = attribute
	u.values[":"+attribute] = value
}

// Get reads a fare's payment record with a consistent read; found is false when the
// fare has none.
func (s *Service) Get(ctx context.Context, fareID string) (record Record, found bool, err error) {
	return s.payments().get(ctx, fareID)
}
