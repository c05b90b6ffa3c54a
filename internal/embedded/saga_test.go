package embedded

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// These tests run THE definition with the real handlers against the local DynamoDB
// endpoint, then check what the three tables and the gateway hold.

func startStack(t *testing.T) *Stack {
	t.Helper()
	return startStackWrapping(t, nil)
}

// startStackWrapping is startStack with wrap between the engine and the handlers.
func startStackWrapping(t *testing.T, wrap func(task.Integration) task.Integration) *Stack {
	t.Helper()
	s, err := Start(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 7, FaultInjection: true,
		WrapFunctions: wrap})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// compensations lists the compensation states the execution entered, in order.
func compensations(x *engine.Execution) []string {
	var entered []string
	for _, e := range x.History.Events() {
		if e.StateEntered != nil && statemachine.IsCompensation(e.StateEntered.Name) {
			entered = append(entered, e.StateEntered.Name)
		}
	}
	return entered
}

func entered(x *engine.Execution, state string) bool {
	for _, e := range x.History.Events() {
		if e.StateEntered != nil && e.StateEntered.Name == state {
			return true
		}
	}
	return false
}

type tablesView struct {
	fare          fare.Record
	fareFound     bool
	payment       payment.Record
	paymentFound  bool
	gateway       gateway.Authorization
	gatewayFound  bool
	balance       int64
	ledgerEntries int
}

func readTables(t *testing.T, s *Stack, fareID, customerID string) tablesView {
	t.Helper()
	ctx := context.Background()
	var v tablesView
	var err error
	v.fare, v.fareFound, err = s.Services.Fare.Get(ctx, fareID)
	require.NoError(t, err)
	v.payment, v.paymentFound, err = s.Services.Payment.Get(ctx, fareID)
	require.NoError(t, err)
	v.gateway, v.gatewayFound, err = s.Services.Payment.Gateway.Lookup(ctx, payment.AuthorizationKey(fareID, v.fare.OwnerExecution))
	require.NoError(t, err)
	v.balance, err = s.Services.Account.Balance(ctx, customerID, "EUR")
	require.NoError(t, err)
	entries, err := s.Services.Account.Entries(ctx, customerID)
	require.NoError(t, err)
	v.ledgerEntries = len(entries)
	return v
}

func TestHappyPath(t *testing.T) {
	s := startStack(t)
	x, err := s.RunFare(context.Background(), FareInput("fare-1", "cust-1"))
	require.NoError(t, err)
	r := x.Result()
	require.Equal(t, engine.Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.Output), &out))
	assert.Equal(t, "COMPLETED", out["status"])
	assert.Equal(t, true, out["notified"])
	assert.Empty(t, compensations(x))

	v := readTables(t, s, "fare-1", "cust-1")
	assert.Equal(t, fare.Completed, v.fare.Status)
	assert.Equal(t, payment.PaymentCaptured, v.payment.Status)
	assert.Equal(t, gateway.StatusCaptured, v.gateway.Status)
	assert.Equal(t, int64(1250), v.balance)
	assert.Equal(t, 1, v.ledgerEntries)

	messages := s.Topic.Messages()
	require.Len(t, messages, 1)
	assert.Equal(t, "true", messages[0].MessageAttributes["IsSuccessful"].StringValue)
	assert.NotContains(t, messages[0].Message, "tok_visa_4242", "the token never leaves the payment step")
}

func TestEveryFailureSwitchIsCompensatedInReverseOrder(t *testing.T) {
	all := []string{statemachine.ReverseCustomerCredit, statemachine.RefundFare, statemachine.VoidPreAuthorization, statemachine.CancelFare}
	tests := []struct {
		switchName    string
		errName       string
		compensations []string
		fareStatus    fare.Status
		payment       payment.PaymentStatus // "" when no payment record may exist
		gateway       gateway.Status        // "" when the gateway never authorised
		balance       int64
	}{
		{"_fail_register", "InjectedFailure", all[3:], fare.Cancelled, "", "", 0},
		{"_fail_auth", "PaymentDeclined", all[2:], fare.Cancelled, payment.PaymentVoided, "", 0},
		{"_fail_charge", "CaptureDeclined", all[1:], fare.Cancelled, payment.PaymentVoided, gateway.StatusVoided, 0},
		{"_fail_credit", "InjectedFailure", all, fare.Cancelled, payment.PaymentRefunded, gateway.StatusRefunded, 0},
		{"_fail_complete", "DynamoDB.ConditionalCheckFailedException", all, fare.Cancelled, payment.PaymentRefunded, gateway.StatusRefunded, 0},
	}
	for _, tt := range tests {
		t.Run(tt.switchName, func(t *testing.T) {
			s := startStack(t)
			customer := "cust" + tt.switchName
			x, err := s.RunFare(context.Background(), FareInput("fare-1", customer))
			require.NoError(t, err)
			r := x.Result()
			assert.Equal(t, engine.Failed, r.Status)
			assert.Equal(t, tt.errName, r.Error)
			assert.Contains(t, r.Cause, "every step that had run was compensated")
			assert.Equal(t, tt.compensations, compensations(x))
			assert.True(t, entered(x, statemachine.NotifyFailure))

			v := readTables(t, s, "fare-1", customer)
			assert.Equal(t, tt.fareStatus, v.fare.Status)
			assert.NotEmpty(t, v.fare.FailedState, "the fare records what failed")
			if tt.payment != "" {
				assert.Equal(t, tt.payment, v.payment.Status)
			} else {
				assert.False(t, v.paymentFound)
			}
			assert.Equal(t, tt.gateway != "", v.gatewayFound)
			if tt.gateway != "" {
				assert.Equal(t, tt.gateway, v.gateway.Status, "no net charge, no authorisation left")
			}
			assert.Equal(t, tt.balance, v.balance, "no net credit")

			messages := s.Topic.Messages()
			require.Len(t, messages, 1)
			assert.Equal(t, "false", messages[0].MessageAttributes["IsSuccessful"].StringValue)
		})
	}
}

func TestACompensationThatFailsForGoodNeedsAttention(t *testing.T) {
	tests := []struct {
		switchName    string
		failedState   string
		compensations []string
	}{
		{"_fail_reverse", statemachine.ReverseCustomerCredit, []string{statemachine.ReverseCustomerCredit}},
		{"_fail_refund", statemachine.RefundFare, []string{statemachine.ReverseCustomerCredit, statemachine.RefundFare}},
		{"_fail_void", statemachine.VoidPreAuthorization, []string{statemachine.RefundFare, statemachine.VoidPreAuthorization}},
		{"_fail_cancel", statemachine.CancelFare, []string{statemachine.VoidPreAuthorization, statemachine.CancelFare}},
	}
	for _, tt := range tests {
		t.Run(tt.switchName, func(t *testing.T) {
			s := startStack(t)
			customer := "cust" + tt.switchName
			x, err := s.RunFare(context.Background(), FareInput("fare-1", customer))
			require.NoError(t, err)
			r := x.Result()
			assert.Equal(t, engine.Failed, r.Status)
			assert.Equal(t, "InjectedFailure", r.Error, "the execution fails in the compensation, where a redrive resumes it")
			assert.Equal(t, tt.compensations, compensations(x))
			status, reason := x.RedriveStatus()
			assert.Equal(t, "REDRIVABLE", status, reason)

			v := readTables(t, s, "fare-1", customer)
			assert.Equal(t, fare.NeedsAttention, v.fare.Status, "the watcher marked the fare")
			assert.Equal(t, tt.failedState, v.fare.AttentionState)
			assert.Equal(t, "FAILED", v.fare.AttentionExecutionStatus)
			assert.Equal(t, "InjectedFailure", v.fare.AttentionError)

			messages := s.Topic.Messages()
			require.Len(t, messages, 1)
			assert.Equal(t, "true", messages[0].MessageAttributes["NeedsAttention"].StringValue, "an operator is alerted")
			assert.Contains(t, messages[0].Message, `"attentionState":"`+tt.failedState+`"`)
		})
	}
}

func TestTransientFaultsAreRetriedThenSucceed(t *testing.T) {
	for _, step := range []string{"register", "auth", "charge", "credit"} {
		t.Run(step, func(t *testing.T) {
			s := startStack(t)
			customer := "cust_transient_" + step
			x, err := s.RunFare(context.Background(), FareInput("fare-1", customer))
			require.NoError(t, err)
			r := x.Result()
			require.Equal(t, engine.Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
			failed := 0
			for _, e := range x.History.Events() {
				if e.Type == "TaskFailed" {
					failed++
				}
			}
			assert.Equal(t, 2, failed, "two failed attempts, then success")
			v := readTables(t, s, "fare-1", customer)
			assert.Equal(t, fare.Completed, v.fare.Status)
			assert.Equal(t, int64(1250), v.balance)
		})
	}
}

func TestLostResponsesAreRetriedWithOneEffect(t *testing.T) {
	for _, step := range []string{"register", "auth", "charge", "credit"} {
		t.Run(step, func(t *testing.T) {
			s := startStack(t)
			customer := "cust_lost_" + step
			x, err := s.RunFare(context.Background(), FareInput("fare-1", customer))
			require.NoError(t, err)
			require.Equal(t, engine.Succeeded, x.Result().Status, x.Result().Cause)
			v := readTables(t, s, "fare-1", customer)
			assert.Equal(t, gateway.StatusCaptured, v.gateway.Status)
			assert.Equal(t, int64(1250), v.balance, "credited once")
			assert.Equal(t, 1, v.ledgerEntries)
		})
	}
}

func TestTransientCompensationFaultsStillCompensate(t *testing.T) {
	s := startStack(t)
	customer := "cust_fail_credit_transient_refund_transient_void"
	x, err := s.RunFare(context.Background(), FareInput("fare-1", customer))
	require.NoError(t, err)
	assert.Equal(t, "InjectedFailure", x.Result().Error)
	v := readTables(t, s, "fare-1", customer)
	assert.Equal(t, fare.Cancelled, v.fare.Status)
	assert.Equal(t, gateway.StatusRefunded, v.gateway.Status)
}

func TestBadInputFailsAndWritesNothing(t *testing.T) {
	inputs := map[string]string{
		"missing fields": `{"fareId":"fare-1"}`,
		"card data":      `{"fareId":"fare-1","customerId":"c","amount":1250,"currency":"EUR","cc":"4111111111111111","cvv":"123"}`,
		"float amount":   `{"fareId":"fare-1","customerId":"c","amount":12.5,"currency":"EUR","paymentToken":"t"}`,
		"not an object":  `[1,2]`,
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			s := startStack(t)
			x, err := s.RunFare(context.Background(), input)
			require.NoError(t, err)
			r := x.Result()
			assert.Equal(t, engine.Failed, r.Status)
			assert.Equal(t, "InvalidFareInput", r.Error)
			assert.Contains(t, r.Cause, "nothing was written")
			assert.NotContains(t, r.Cause, "4111111111111111")
			assert.Empty(t, compensations(x))
			for _, spec := range tables.All() {
				out, err := s.DynamoDB.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(spec.Name)})
				require.NoError(t, err)
				assert.Zero(t, out.Count, "%s must stay empty", spec.Name)
			}
			assert.Empty(t, s.Topic.Messages(), "nothing is announced")
		})
	}
}
