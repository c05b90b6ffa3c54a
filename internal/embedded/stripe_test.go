package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway/stripe"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripefake"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripemock"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// The saga end to end on the embedded stack with the Stripe adapter. Every Stripe
// request goes through stripe-mock, which checks it against Stripe's OpenAPI spec,
// to the fake Stripe API's state: the test fails on any request the spec rejects.
// The requests each path makes are the figures the README gives.
func TestStripeSagasThroughStripeMock(t *testing.T) {
	validator := stripemock.URL(t)
	const (
		create, confirm, retrieve = stripefake.OpCreate, stripefake.OpConfirm, stripefake.OpRetrieve
		capture, cancel, refund   = stripefake.OpCapture, stripefake.OpCancel, stripefake.OpRefund
	)
	tests := []struct {
		name         string
		customer     string
		token        string
		wantError    string // "" for success
		wantFare     fare.Status
		wantIntent   string // the intent's final status
		wantRequests []string
	}{
		{"happy path", "cust-1", stripefake.Visa, "", fare.Completed, "succeeded",
			[]string{create, confirm, retrieve, capture}},
		{"a declined card", "cust-1", stripefake.Declined, "PaymentDeclined", fare.Cancelled, "canceled",
			[]string{create, confirm /* 402 */, retrieve, cancel /* VoidPreAuthorization closes the intent */}},
		{"a declined capture", "cust-1", stripefake.CaptureDeclined, "CaptureDeclined", fare.Cancelled, "canceled",
			[]string{create, confirm, retrieve, capture /* 402 */, retrieve /* RefundFare */, retrieve, cancel /* VoidPreAuthorization */}},
		{"the credit fails", "cust-1_fail_credit", stripefake.Visa, "InjectedFailure", fare.Cancelled, "succeeded",
			[]string{create, confirm, retrieve, capture, retrieve, refund /* RefundFare */, retrieve /* VoidPreAuthorization */}},
		{"the fare cannot be completed", "cust-1_fail_complete", stripefake.Visa, "DynamoDB.ConditionalCheckFailedException", fare.Cancelled, "succeeded",
			[]string{create, confirm, retrieve, capture, retrieve, refund, retrieve}},
		{"the capture fails before reaching Stripe", "cust-1_fail_charge", stripefake.Visa, "CaptureDeclined", fare.Cancelled, "canceled",
			[]string{create, confirm, retrieve, cancel /* RefundFare finds no binding: no request */}},
		{"the pre-authorisation fails before reaching Stripe", "cust-1_fail_auth", stripefake.Visa, "PaymentDeclined", fare.Cancelled, "",
			nil /* VoidPreAuthorization closes the key in the bindings: no request */},
		{"the registration fails", "cust-1_fail_register", stripefake.Visa, "InjectedFailure", fare.Cancelled, "", nil},
		{"Stripe unavailable twice at pre-authorisation", "cust-1_transient_auth", stripefake.Visa, "", fare.Completed, "succeeded",
			[]string{create, confirm, retrieve, capture}},
		{"the pre-authorisation's answer lost", "cust-1_lost_auth", stripefake.Visa, "", fare.Completed, "succeeded",
			[]string{create, confirm, confirm /* the retry: replayed */, retrieve, capture}},
		{"the capture's answer lost", "cust-1_lost_charge", stripefake.Visa, "", fare.Completed, "succeeded",
			[]string{create, confirm, retrieve, capture, retrieve, capture /* the retry: replayed */}},
		{"the refund's answer lost", "cust-1_fail_credit_lost_refund", stripefake.Visa, "InjectedFailure", fare.Cancelled, "succeeded",
			[]string{create, confirm, retrieve, capture, retrieve, refund, retrieve /* the retry finds it refunded */, retrieve}},
		{"the void's answer lost", "cust-1_fail_charge_lost_void", stripefake.Visa, "CaptureDeclined", fare.Cancelled, "canceled",
			[]string{create, confirm, retrieve, cancel, retrieve /* the retry finds it voided */}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := stripefake.Start(t, stripefake.Options{Validator: validator})
			gw, err := stripe.New(stripe.Config{URL: url, Bindings: stripe.NewMemoryBindings(),
				APIKey: func(context.Context) (string, error) { return stripefake.APIKey, nil }})
			require.NoError(t, err)
			s, err := Start(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 7,
				FaultInjection: true, Gateway: gw})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })

			fareID := fmt.Sprintf("fare-%d", i)
			x, err := s.RunFare(context.Background(),
				fmt.Sprintf(`{"fareId":%q,"customerId":%q,"amount":1250,"currency":"EUR","paymentToken":%q}`, fareID, tt.customer, tt.token))
			require.NoError(t, err)
			r := x.Result()
			if tt.wantError == "" {
				require.Equal(t, engine.Succeeded, r.Status, "%s: %s", r.Error, r.Cause)
			} else {
				require.Equal(t, engine.Failed, r.Status)
				assert.Equal(t, tt.wantError, r.Error, r.Cause)
			}
			var got []string
			for _, req := range fake.Requests() {
				got = append(got, req.Operation)
				assert.Less(t, req.Status, 500, "%+v", req)
			}
			assert.Equal(t, tt.wantRequests, got)
			v := readTables(t, s, fareID, tt.customer)
			assert.Equal(t, tt.wantFare, v.fare.Status)
			ids := fake.IntentIDs()
			if tt.wantIntent == "" {
				assert.Empty(t, ids)
				return
			}
			require.Len(t, ids, 1)
			intent, _ := fake.Intent(ids[0])
			assert.Equal(t, tt.wantIntent, intent["status"])
			assert.Equal(t, fareID, intent["metadata"].(map[string]string)["fareId"])
			if tt.token != stripefake.Declined {
				assert.Equal(t, ids[0], v.payment.AuthorizationCode, "the Payments record names the intent")
			}
			if tt.wantFare == fare.Completed {
				assert.Equal(t, payment.PaymentCaptured, v.payment.Status)
				assert.Equal(t, int64(1250), v.balance)
			}
		})
	}
}
