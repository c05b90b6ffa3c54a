package lambdaenv

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/faresaga/faresaga/internal/account"
	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/intake"
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

// Door builds the front door: it starts executions of STATE_MACHINE_ARN and reads
// the Fares table, and needs nothing else.
func (e Env) Door() (*intake.Door, error) {
	table, err := e.Table(tables.Fares)
	if err != nil {
		return nil, err
	}
	machine := e.lookup(StateMachineARNVar)
	if machine == "" {
		return nil, fmt.Errorf("%s is not set: the door does not know which state machine to start", StateMachineARNVar)
	}
	return intake.New(intake.Config{
		StepFunctions: sfn.NewFromConfig(e.aws), DynamoDB: e.DynamoDB,
		StateMachineARN: machine, FaresTable: table, Now: e.Now, Log: e.Log,
	})
}

// Watcher builds the attention watcher: it reads and marks fares, reads executions'
// histories, and publishes alerts to FARE_OUTCOME_TOPIC_ARN.
func (e Env) Watcher() (*attention.Watcher, error) {
	fares, err := e.FareService()
	if err != nil {
		return nil, err
	}
	topic := e.lookup(FareOutcomeTopicVar)
	if topic == "" {
		return nil, fmt.Errorf("%s is not set: the watcher does not know where to alert", FareOutcomeTopicVar)
	}
	return &attention.Watcher{
		Fares:      fares,
		Executions: attention.SFNExecutions{Client: sfn.NewFromConfig(e.aws)},
		Topic:      attention.SNSTopic{Client: sns.NewFromConfig(e.aws), TopicARN: topic},
		Log:        e.Log,
	}, nil
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
