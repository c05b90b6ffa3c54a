package payment

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamo"
	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/gateway/simulated"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
)

func TestNewBuildsTheServiceFromConfiguration(t *testing.T) {
	db := dynamotest.Start(t).Client
	memory := simulated.New(simulated.NewMemoryStore(), fixedClock)
	tests := []struct {
		name        string
		cfg         Config
		wantOwn     bool // the caller's gateway is used as it is
		wantInTable bool // the simulated gateway keeps its state in the PaymentGateway table
		wantErr     bool
	}{
		{"no client", Config{PaymentsTable: tables.Payments.Name}, false, false, true},
		{"no table", Config{DynamoDB: db}, false, false, true},
		{"simulated gateway in memory", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name}, false, false, false},
		{"a gateway of the caller's", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name, Gateway: memory}, true, false, false},
		{"a gateway of the caller's, in its table", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name,
			Gateway: simulated.New(simulated.NewDynamoStore(db, tables.PaymentGateway.Name), nil)}, true, true, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := New(tt.cfg)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			if tt.wantOwn {
				assert.Same(t, tt.cfg.Gateway, svc.Gateway)
			} else {
				assert.IsType(t, &simulated.Gateway{}, svc.Gateway)
			}
			// Defaults make a usable service: real clock, discarded logs.
			fareID := fmt.Sprintf("fare-%d", i)
			_, err = svc.PreAuthorizePayment(context.Background(), input(fareID, "cust-1", 0))
			require.NoError(t, err)
			item, err := dynamo.GetItem(context.Background(), db, tables.PaymentGateway.Name, tables.PaymentGateway.PartitionKey, "key#"+keyOf("preauth", fareID))
			require.NoError(t, err)
			assert.Equal(t, tt.wantInTable, item != nil, "the gateway's record of the pre-authorisation in its table")
		})
	}
}

func TestUnreachableTablesFailWithDeliberateNames(t *testing.T) {
	db := dynamotest.Start(t).Client
	tests := []struct {
		name          string
		paymentsTable string
		gatewayTable  string
		want          string
	}{
		{"the gateway cannot read its state", tables.Payments.Name, "NoSuchTable", "GatewayUnavailable"},
		{"the Payments table is missing", "NoSuchTable", tables.PaymentGateway.Name, "UnexpectedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := New(Config{DynamoDB: db, PaymentsTable: tt.paymentsTable, Now: fixedClock,
				Gateway: simulated.New(simulated.NewDynamoStore(db, tt.gatewayTable), fixedClock)})
			require.NoError(t, err)
			_, err = svc.PreAuthorizePayment(context.Background(), input("fare-1", "cust-1", 0))
			require.Error(t, err)
			assert.Equal(t, tt.want, steperr.Name(err), "%v", err)
		})
	}
}
