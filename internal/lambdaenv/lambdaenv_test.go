package lambdaenv

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		wantErr   string
		injection bool
	}{
		{"defaults", map[string]string{}, "", false},
		{"fault injection on", map[string]string{FaultInjectionVar: "enabled"}, "", true},
		{"fault injection off", map[string]string{FaultInjectionVar: "disabled"}, "", false},
		{"fault injection misspelt", map[string]string{FaultInjectionVar: "yes"}, `FAULT_INJECTION must be enabled or disabled, not "yes"`, false},
		{"log level", map[string]string{LogLevelVar: "debug"}, "", false},
		{"bad log level", map[string]string{LogLevelVar: "loud"}, "LOG_LEVEL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", "eu-west-1")
			env, err := load(context.Background(), func(k string) string { return tt.vars[k] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.injection, env.Faults.Enabled())
			assert.NotNil(t, env.DynamoDB)
		})
	}
}

func TestTable(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	env, err := load(context.Background(), func(k string) string {
		return map[string]string{"FARES_TABLE": "FareCollection-dev-Fares123"}[k]
	})
	require.NoError(t, err)
	name, err := env.Table(tables.Fares)
	require.NoError(t, err)
	assert.Equal(t, "FareCollection-dev-Fares123", name)

	_, err = env.Table(tables.Payments)
	assert.EqualError(t, err, "PAYMENTS_TABLE is not set: this function has no access to the Payments table")
}

func TestServicesNeedTheirOwnTables(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-1")
	tests := []struct {
		name    string
		vars    map[string]string
		build   func(Env) error
		wantErr string
	}{
		{"fare", map[string]string{"FARES_TABLE": "F"}, func(e Env) error { _, err := e.FareService(); return err }, ""},
		{"fare without its table", map[string]string{"PAYMENTS_TABLE": "P"}, func(e Env) error { _, err := e.FareService(); return err }, "FARES_TABLE is not set"},
		{"account", map[string]string{"CUSTOMER_ACCOUNTS_TABLE": "A"}, func(e Env) error { _, err := e.AccountService(); return err }, ""},
		{"payment", map[string]string{"PAYMENTS_TABLE": "P", "PAYMENT_GATEWAY_TABLE": "G", "PAYMENT_GATEWAY": "simulated"}, func(e Env) error { _, err := e.PaymentService(); return err }, ""},
		{"payment without the gateway table", map[string]string{"PAYMENTS_TABLE": "P"}, func(e Env) error { _, err := e.PaymentService(); return err }, "PAYMENT_GATEWAY_TABLE is not set"},
		{"door", map[string]string{"FARES_TABLE": "F", StateMachineARNVar: "arn:aws:states:eu-west-1:123456789012:stateMachine:FareCollection-dev"},
			func(e Env) error { _, err := e.Door(); return err }, ""},
		{"door without its machine", map[string]string{"FARES_TABLE": "F"}, func(e Env) error { _, err := e.Door(); return err }, "STATE_MACHINE_ARN is not set"},
		{"door without the Fares table", map[string]string{StateMachineARNVar: "arn:aws:states:eu-west-1:123456789012:stateMachine:M"},
			func(e Env) error { _, err := e.Door(); return err }, "FARES_TABLE is not set"},
		{"door with an execution for a machine", map[string]string{"FARES_TABLE": "F", StateMachineARNVar: "arn:aws:states:eu-west-1:123456789012:execution:M:x"},
			func(e Env) error { _, err := e.Door(); return err }, "is not a state machine ARN"},
		{"payment with an unknown gateway", map[string]string{"PAYMENTS_TABLE": "P", "PAYMENT_GATEWAY_TABLE": "G", "PAYMENT_GATEWAY": "paypal"}, func(e Env) error { _, err := e.PaymentService(); return err }, `PAYMENT_GATEWAY="paypal": the gateway must be "simulated" or "stripe"`},
		{"payment with Stripe", map[string]string{"PAYMENTS_TABLE": "P", "PAYMENT_GATEWAY_TABLE": "G", "PAYMENT_GATEWAY": "stripe", "STRIPE_API_KEY_SECRET": "faresaga/stripe"}, func(e Env) error { _, err := e.PaymentService(); return err }, ""},
		{"payment with Stripe but no secret", map[string]string{"PAYMENTS_TABLE": "P", "PAYMENT_GATEWAY_TABLE": "G", "PAYMENT_GATEWAY": "stripe"}, func(e Env) error { _, err := e.PaymentService(); return err }, "STRIPE_API_KEY_SECRET is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := load(context.Background(), func(k string) string { return tt.vars[k] })
			require.NoError(t, err)
			err = tt.build(env)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestHandlersCoverEveryFunction(t *testing.T) {
	services, err := testEnv(t).Services()
	require.NoError(t, err)
	handlers := services.Handlers()
	assert.Len(t, handlers, len(statemachine.Functions))
	for _, fn := range statemachine.Functions {
		assert.NotNil(t, handlers[fn.Name], fn.Name)
	}
}
