package lambdaenv

import (
	"fmt"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/tables"
)

// PaymentGatewayVar selects the payment gateway. "simulated" (the default, and today the
// only one) keeps the simulated gateway's state in the PaymentGateway table.
const PaymentGatewayVar = "PAYMENT_GATEWAY"

// FareService builds the fare service's handlers.
func (e Env) FareService() (*fare.Service, error) {
	table, err := e.Table(tables.Fares)
	if err != nil {
		return nil, err
	}
	return &fare.Service{DB: e.DynamoDB, Table: table, Faults: e.Faults, Now: e.Now, Log: e.Log}, nil
}

// AccountService builds the account service's handlers.
func (e Env) AccountService() (*account.Service, error) {
	table, err := e.Table(tables.CustomerAccounts)
	if err != nil {
		return nil, err
	}
	return &account.Service{DB: e.DynamoDB, Table: table, Faults: e.Faults, Now: e.Now, Log: e.Log}, nil
}

// PaymentService builds the payment service's handlers and its gateway.
func (e Env) PaymentService() (*payment.Service, error) {
	if gateway := e.lookup(PaymentGatewayVar); gateway != "" && gateway != "simulated" {
		return nil, fmt.Errorf("%s=%q: the only gateway is \"simulated\"", PaymentGatewayVar, gateway)
	}
	paymentsTable, err := e.Table(tables.Payments)
	if err != nil {
		return nil, err
	}
	// On Lambda every instance must share the gateway's state, so it lives in a table.
	gatewayTable, err := e.Table(tables.PaymentGateway)
	if err != nil {
		return nil, err
	}
	return payment.New(payment.Config{
		DynamoDB:              e.DynamoDB,
		PaymentsTable:         paymentsTable,
		SimulatedGatewayTable: gatewayTable,
		FaultInjection:        e.Faults.Enabled(),
		Now:                   e.Now,
		Log:                   e.Log,
	})
}

// Handlers builds all eight handlers, keyed by function name (statemachine.Functions),
// for runtimes that host every function in one process: the local runtime and tests.
func (e Env) Handlers() (map[string]any, error) {
	fares, err := e.FareService()
	if err != nil {
		return nil, err
	}
	payments, err := e.PaymentService()
	if err != nil {
		return nil, err
	}
	accounts, err := e.AccountService()
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"registerfare":          fares.RegisterFare,
		"preauthorizepayment":   payments.PreAuthorizePayment,
		"chargefare":            payments.ChargeFare,
		"creditcustomeraccount": accounts.CreditCustomerAccount,
		"reversecustomercredit": accounts.ReverseCustomerCredit,
		"refundfare":            payments.RefundFare,
		"voidpreauthorization":  payments.VoidPreAuthorization,
		"cancelfare":            fares.CancelFare,
	}, nil
}
