package rie

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// One fare goes the whole way: the forward steps in saga order, then every
// compensation in the order the saga runs them. Each function is a separate process
// under its own emulator, so each step finds only what the previous processes wrote
// in the shared tables.
const (
	sagaFare     = "fare-1"
	sagaCustomer = "cust-1"
)

// The failure a compensation receives; as in the saga, every compensation gets the same.
const sagaFailure = `{"state":"SetFareStatusCompleted","error":"DynamoDB.ConditionalCheckFailedException"}`

// invocation is one request to a function and what its response must hold.
type invocation struct {
	about   string
	payload string
	want    map[string]any // response fields that must have exactly these values
	present []string       // fields that must be there and not empty: ids the services make up
}

// invocations run in order, per function, in the order of statemachine.Functions.
// Failures use their own fares so they leave the saga's fare alone.
var invocations = map[string][]invocation{
	"registerfare": {
		{
			about:   "registers a fare and returns it",
			payload: forwardInput(sagaFare, sagaCustomer),
			want: map[string]any{"fareId": sagaFare, "customerId": sagaCustomer,
				"amount": 1250, "currency": "EUR", "paymentToken": "tok_1"},
		},
		fails("refuses an invalid fare", `{"fare":{"fareId":"f","amount":-1},"attempt":0}`, "InvalidFareInput"),
	},
	"preauthorizepayment": {
		{
			about:   "pre-authorises the registered fare",
			payload: forwardInput(sagaFare, sagaCustomer),
			want:    map[string]any{"fareId": sagaFare, "status": "PREAUTHORIZED", "amount": 1250, "currency": "EUR"},
			present: []string{"authorizationCode"},
		},
		fails("reports a declined card", forwardInput("fare-auth-declined", "cust_fail_auth"), "PaymentDeclined"),
	},
	"chargefare": {
		{
			about:   "captures the pre-authorisation",
			payload: forwardInput(sagaFare, sagaCustomer),
			want:    map[string]any{"fareId": sagaFare, "status": "CAPTURED", "amount": 1250, "currency": "EUR"},
			present: []string{"authorizationCode", "chargeId"},
		},
		fails("reports a declined capture", forwardInput("fare-capture-declined", "cust_fail_charge"), "CaptureDeclined"),
	},
	"creditcustomeraccount": {
		{
			about:   "credits the customer's account",
			payload: forwardInput(sagaFare, sagaCustomer),
			want:    map[string]any{"fareId": sagaFare, "customerId": sagaCustomer, "amount": 1250, "currency": "EUR"},
			present: []string{"entryId", "creditedAt"},
		},
		fails("reports an injected failure", forwardInput("fare-credit-fails", "cust_fail_credit"), "InjectedFailure"),
	},
	"reversecustomercredit": {
		compensates("reverses the credit", "REVERSED"),
		fails("reports an injected failure", compensationInput("fare-reverse-fails", "cust_fail_reverse"), "InjectedFailure"),
	},
	"refundfare": {
		compensates("refunds the charge", "REFUNDED"),
		fails("reports an injected failure", compensationInput("fare-refund-fails", "cust_fail_refund"), "InjectedFailure"),
	},
	"voidpreauthorization": {
		// The capture was refunded by the previous process: nothing is left to void.
		compensates("finds the charge already refunded", "ALREADY_REFUNDED"),
		fails("reports an injected failure", compensationInput("fare-void-fails", "cust_fail_void"), "InjectedFailure"),
	},
	"cancelfare": {
		compensates("cancels the registered fare", "CANCELLED"),
		{
			about:   "fences a fare that was never registered",
			payload: compensationInput("fare-never-registered", sagaCustomer),
			want:    map[string]any{"fareId": "fare-never-registered", "outcome": "NOTHING_TO_CANCEL"},
		},
		fails("reports an injected failure", compensationInput("fare-cancel-fails", "cust_fail_cancel"), "InjectedFailure"),
	},
}

func forwardInput(fareID, customerID string) string {
	return fmt.Sprintf(`{"fare":{"fareId":%q,"customerId":%q,"amount":1250,"currency":"EUR","paymentToken":"tok_1"},"attempt":0,"execution":%s}`,
		fareID, customerID, executionOf(fareID))
}

func compensationInput(fareID, customerID string) string {
	return fmt.Sprintf(`{"fare":{"fareId":%q,"customerId":%q,"amount":1250,"currency":"EUR","paymentToken":"tok_1"},"attempt":0,"failure":%s,"execution":%s}`,
		fareID, customerID, sagaFailure, executionOf(fareID))
}

// executionOf is the context the state machine passes: the execution named after the fare.
func executionOf(fareID string) string {
	return fmt.Sprintf(`{"id":"arn:aws:states:us-east-1:000000000000:execution:FareCollection-rie:%s","name":%q,"startTime":"2026-11-27T09:30:00.000Z"}`, fareID, fareID)
}

// compensates is a compensation of the saga's fare with its expected outcome.
func compensates(about, outcome string) invocation {
	return invocation{
		about:   about,
		payload: compensationInput(sagaFare, sagaCustomer),
		want:    map[string]any{"fareId": sagaFare, "outcome": outcome},
	}
}

// fails is an invocation that must fail with errorType, the name Step Functions matches.
func fails(about, payload, errorType string) invocation {
	return invocation{about: about, payload: payload, want: map[string]any{"errorType": errorType}, present: []string{"errorMessage"}}
}

func (inv invocation) check(t *testing.T, body []byte) {
	t.Helper()
	var got map[string]json.RawMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("the response is not a JSON object: %s", body)
	}
	if _, failed := got["errorType"]; failed && inv.want["errorType"] == nil {
		t.Fatalf("the function failed: %s", body)
	}
	for field, value := range inv.want {
		raw, ok := got[field]
		if !ok {
			t.Errorf("the response has no %s: %s", field, body)
			continue
		}
		want, err := json.Marshal(value)
		if err != nil {
			t.Fatal(err)
		}
		assert.JSONEq(t, string(want), string(raw), "%s in %s", field, body)
	}
	for _, field := range inv.present {
		if raw := string(got[field]); raw == "" || raw == `""` || raw == "null" {
			t.Errorf("the response has no %s: %s", field, body)
		}
	}
}
