package lambdaenv

import (
	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/tables"
)

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
	paymentsTable, err := e.Table(tables.Payments)
	if err != nil {
		return nil, err
	}
	// On Lambda every instance must share the gateway's state, so it lives in a table.
	gatewayTable, err := e.Table(tables.PaymentGateway)
	if err != nil {
		return nil, err
	}
	gw, err := e.paymentGateway(gatewayTable)
	if err != nil {
		return nil, err
	}
	return payment.New(payment.Config{
		DynamoDB:       e.DynamoDB,
		PaymentsTable:  paymentsTable,
		Gateway:        gw,
		FaultInjection: e.Faults.Enabled(),
		Now:            e.Now,
		Log:            e.Log,
	})
}

// Services are the three services, built together for runtimes that host every
// function in one process: the local runtime and tests.
type Services struct {
	Fare    *fare.Service
	Payment *payment.Service
	Account *account.Service
}

// Services builds all three services from the environment.
func (e Env) Services() (Services, error) {
	fares, err := e.FareService()
	if err != nil {
		return Services{}, err
	}
	payments, err := e.PaymentService()
	if err != nil {
		return Services{}, err
	}
	accounts, err := e.AccountService()
	if err != nil {
		return Services{}, err
	}
	return Services{Fare: fares, Payment: payments, Account: accounts}, nil
}

// Handlers maps each function name (statemachine.Functions) to its handler.
func (s Services) Handlers() map[string]any {
	return map[string]any{
		"registerfare":          s.Fare.RegisterFare,
		"preauthorizepayment":   s.Payment.PreAuthorizePayment,
		"chargefare":            s.Payment.ChargeFare,
		"creditcustomeraccount": s.Account.CreditCustomerAccount,
		"reversecustomercredit": s.Account.ReverseCustomerCredit,
		"refundfare":            s.Payment.RefundFare,
		"voidpreauthorization":  s.Payment.VoidPreAuthorization,
		"cancelfare":            s.Fare.CancelFare,
	}
}
