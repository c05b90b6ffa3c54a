package payment

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamo"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/simulated"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
)

func (f *fixture) mustPreAuthorize(fareID, customerID string) PaymentResult {
	f.t.Helper()
	result, err := f.svc.PreAuthorizePayment(f.ctx, input(fareID, customerID, 0))
	require.NoError(f.t, err)
	return result
}

func (f *fixture) mustCharge(fareID, customerID string) PaymentResult {
	f.t.Helper()
	result, err := f.svc.ChargeFare(f.ctx, input(fareID, customerID, 0))
	require.NoError(f.t, err)
	return result
}

func TestPreAuthorizePaymentHoldsTheFare(t *testing.T) {
	f := newFixture(t)
	result := f.mustPreAuthorize("fare-1", "cust-1")

	code := simulated.DerivedID("auth", keyOf("preauth", "fare-1"))
	assert.Equal(t, PaymentResult{FareID: "fare-1", Status: PaymentPreauthorized, AuthorizationCode: code, Money: eur(1250)}, result)
	rec, found := f.payment("fare-1")
	require.True(t, found)
	assert.Equal(t, Record{FareID: "fare-1", CustomerID: "cust-1", Money: eur(1250), Status: PaymentPreauthorized,
		AuthorizationCode: code, OwnerExecution: sagatest.Execution("fare-1").Owner(),
		CreatedAt: "2025-03-14T09:26:53Z", UpdatedAt: "2025-03-14T09:26:53Z"}, rec)
	auth, found := f.authorization(keyOf("preauth", "fare-1"))
	require.True(t, found)
	assert.Equal(t, gateway.StatusAuthorized, auth.Status)
	assert.Equal(t, eur(1250), auth.Amount)
}

func TestChargeFareCapturesThePreAuthorization(t *testing.T) {
	f := newFixture(t)
	preauth := f.mustPreAuthorize("fare-1", "cust-1")
	result := f.mustCharge("fare-1", "cust-1")

	chargeID := simulated.DerivedID("ch", keyOf("capture", "fare-1"))
	assert.Equal(t, PaymentResult{FareID: "fare-1", Status: PaymentCaptured, AuthorizationCode: preauth.AuthorizationCode,
		ChargeID: chargeID, Money: eur(1250)}, result)
	rec, _ := f.payment("fare-1")
	assert.Equal(t, PaymentCaptured, rec.Status)
	assert.Equal(t, chargeID, rec.ChargeID)
	auth, _ := f.authorization(keyOf("capture", "fare-1"))
	assert.Equal(t, gateway.StatusCaptured, auth.Status)
	assert.Equal(t, eur(1250), auth.Captured)
}

func TestForwardStepsRunTwiceGiveTheSameResultAndOneEffect(t *testing.T) {
	type handler func(context.Context, saga.StepInput) (PaymentResult, error)
	tests := []struct {
		name    string
		before  func(f *fixture)
		step    func(f *fixture) handler
		effects int64 // gateway changes to the authorisation after both runs
		status  PaymentStatus
	}{
		{"PreAuthorizePayment", func(*fixture) {},
			func(f *fixture) handler { return f.svc.PreAuthorizePayment }, 1, PaymentPreauthorized},
		{"ChargeFare", func(f *fixture) { f.mustPreAuthorize("fare-1", "cust-1") },
			func(f *fixture) handler { return f.svc.ChargeFare }, 2, PaymentCaptured},
		{"PreAuthorizePayment after ChargeFare", func(f *fixture) { f.mustPreAuthorize("fare-1", "cust-1"); f.mustCharge("fare-1", "cust-1") },
			func(f *fixture) handler { return f.svc.PreAuthorizePayment }, 2, PaymentCaptured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.before(f)
			first, err := tt.step(f)(f.ctx, input("fare-1", "cust-1", 0))
			require.NoError(t, err)
			second, err := tt.step(f)(f.ctx, input("fare-1", "cust-1", 1))
			require.NoError(t, err)

			assert.Equal(t, first, second)
			auth, _ := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, tt.effects, auth.Version)
			rec, _ := f.payment("fare-1")
			assert.Equal(t, tt.status, rec.Status)
		})
	}
}

func TestForwardStepsRefuse(t *testing.T) {
	tests := []struct {
		name     string
		before   func(f *fixture)
		run      func(f *fixture) error
		wantErr  string
		wantAuth bool // whether the gateway holds an authorisation afterwards
	}{
		{"a charge without pre-authorisation", func(*fixture) {}, func(f *fixture) error {
			_, err := f.svc.ChargeFare(f.ctx, input("fare-1", "cust-1", 0))
			return err
		}, "PaymentNotAuthorized", false},
		{"an invalid fare (pre-authorise)", func(*fixture) {}, func(f *fixture) error {
			_, err := f.svc.PreAuthorizePayment(f.ctx, saga.StepInput{Fare: []byte(`{"fareId":"fare-1"}`)})
			return err
		}, "InvalidFareInput", false},
		{"an invalid fare (charge)", func(*fixture) {}, func(f *fixture) error {
			_, err := f.svc.ChargeFare(f.ctx, saga.StepInput{Fare: []byte(`[]`)})
			return err
		}, "InvalidFareInput", false},
		{"a card the issuer declines", func(*fixture) {}, func(f *fixture) error {
			_, err := f.svc.PreAuthorizePayment(f.ctx, inputWithToken("fare-1", simulated.DeclinedToken))
			return err
		}, "PaymentDeclined", false},
		{"a capture the issuer declines", func(f *fixture) {
			_, err := f.svc.PreAuthorizePayment(f.ctx, inputWithToken("fare-1", simulated.CaptureDeclinedToken))
			require.NoError(f.t, err)
		}, func(f *fixture) error {
			_, err := f.svc.ChargeFare(f.ctx, inputWithToken("fare-1", simulated.CaptureDeclinedToken))
			return err
		}, "CaptureDeclined", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.before(f)
			err := tt.run(f)
			require.Error(t, err)
			assert.Equal(t, tt.wantErr, steperr.Name(err), "%v", err)
			auth, found := f.authorization(keyOf("preauth", "fare-1"))
			assert.Equal(t, tt.wantAuth, found)
			if found {
				assert.Equal(t, gateway.StatusAuthorized, auth.Status)
			}
		})
	}
}

func inputWithToken(fareID, token string) saga.StepInput {
	in := input(fareID, "cust-1", 0)
	in.Fare = []byte(strings.Replace(string(in.Fare), testToken, token, 1))
	return in
}

// The Payments item holds gateway references and the fare's amount and customer: never
// the token, and neither does the simulated gateway's table.
func TestTablesNeverHoldTheToken(t *testing.T) {
	f := newFixture(t)
	f.mustPreAuthorize("fare-1", "cust-1")
	f.mustCharge("fare-1", "cust-1")
	_, err := f.svc.RefundFare(f.ctx, input("fare-1", "cust-1", 0))
	require.NoError(t, err)

	rec, err := f.db.GetItem(f.ctx, &dynamodb.GetItemInput{TableName: aws.String(tables.Payments.Name),
		Key: map[string]types.AttributeValue{"fareId": dynamo.String("fare-1")}})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"fareId", "customerId", "amount", "currency", "status", "authorizationCode",
		"chargeId", "refundId", "createdAt", "updatedAt", "preauthorizedAt", "capturedAt", "refundedAt", "compensatedBy", "ownerExecution"}, slices.Collect(maps.Keys(rec.Item)))

	for _, table := range []string{tables.Payments.Name, tables.PaymentGateway.Name} {
		out, err := f.db.Scan(f.ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
		require.NoError(t, err)
		require.NotEmpty(t, out.Items)
		for _, item := range out.Items {
			var decoded map[string]any
			require.NoError(t, attributevalue.UnmarshalMap(item, &decoded))
			assert.NotContains(t, fmt.Sprint(decoded), testToken, table)
		}
	}
}
