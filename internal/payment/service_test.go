package payment

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
)

func TestNewBuildsTheServiceFromConfiguration(t *testing.T) {
	db := dynamotest.Start(t).Client
	memory := NewSimulatedGateway(NewMemoryGatewayStore(), fixedClock)
	tests := []struct {
		name      string
		cfg       Config
		wantStore GatewayStore // nil: the gateway is not simulated by New
		wantErr   bool
	}{
		{"no client", Config{PaymentsTable: tables.Payments.Name}, nil, true},
		{"no table", Config{DynamoDB: db}, nil, true},
		{"simulated gateway in memory", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name},
			&memoryGatewayStore{}, false},
		{"simulated gateway in its table", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name, SimulatedGatewayTable: tables.PaymentGateway.Name},
			&dynamoGatewayStore{db: db, table: tables.PaymentGateway.Name}, false},
		{"a gateway of the caller's", Config{DynamoDB: db, PaymentsTable: tables.Payments.Name, Gateway: memory}, nil, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := New(tt.cfg)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			if tt.wantStore == nil {
				assert.Same(t, tt.cfg.Gateway, svc.Gateway)
			} else {
				require.IsType(t, &SimulatedGateway{}, svc.Gateway)
				assert.IsType(t, tt.wantStore, svc.Gateway.(*SimulatedGateway).store)
			}
			// Defaults make a usable service: real clock, discarded logs.
			_, err = svc.PreAuthorizePayment(context.Background(), input(fmt.Sprintf("fare-%d", i), "cust-1", 0))
			require.NoError(t, err)
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
			svc, err := New(Config{DynamoDB: db, PaymentsTable: tt.paymentsTable, SimulatedGatewayTable: tt.gatewayTable, Now: fixedClock})
			require.NoError(t, err)
			_, err = svc.PreAuthorizePayment(context.Background(), input("fare-1", "cust-1", 0))
			require.Error(t, err)
			assert.Equal(t, tt.want, steperr.Name(err), "%v", err)
		})
	}
}
