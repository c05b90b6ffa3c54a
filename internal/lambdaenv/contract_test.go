package lambdaenv

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// The error handling of each Task in the definition, as far as this test needs it.
type errorHandling struct {
	Retry []struct{ ErrorEquals []string }
	Catch []struct {
		ErrorEquals []string
		Next        string
	}
}

func matches(errorEquals []string, name string) bool {
	return slices.Contains(errorEquals, name) || slices.Contains(errorEquals, "States.ALL")
}

func (h errorHandling) retries(name string) bool {
	return slices.ContainsFunc(h.Retry, func(r struct{ ErrorEquals []string }) bool { return matches(r.ErrorEquals, name) })
}

// catchTarget is where the first matching Catch sends an error, as Step Functions picks it.
func (h errorHandling) catchTarget(name string) string {
	for _, c := range h.Catch {
		if matches(c.ErrorEquals, name) {
			return c.Next
		}
	}
	return ""
}

func testEnv(t *testing.T) Env {
	names := tables.LocalNames()
	return Env{
		DynamoDB: dynamotest.Start(t).Client,
		Faults:   faults.New(true),
		Log:      slog.New(slog.DiscardHandler),
		Now:      func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) },
		lookup:   func(k string) string { return names[k] },
	}
}

// invoke calls a handler through aws-lambda-go's own handler wrapper, so the payload is
// decoded and the error is produced exactly as on Lambda, and returns the error's name
// as Step Functions will see it.
func invoke(t *testing.T, handler any, customerID string, attempt int) string {
	t.Helper()
	payload := fmt.Sprintf(`{"fare":{"fareId":"fare-1","customerId":%q,"amount":1250,"currency":"EUR","paymentToken":"tok_1"},"attempt":%d,`+
		`"execution":{"id":"arn:aws:states:us-east-1:000000000000:execution:FareCollection-test:fare-1","name":"fare-1","startTime":"2026-11-27T09:30:00.000Z"}}`, customerID, attempt)
	_, err := lambda.NewHandler(handler).Invoke(context.Background(), []byte(payload))
	if err == nil {
		return ""
	}
	return steperr.Name(err)
}

var faultStep = map[string]faults.Step{
	"registerfare": faults.Register, "preauthorizepayment": faults.Auth, "chargefare": faults.Charge,
	"creditcustomeraccount": faults.Credit, "reversecustomercredit": faults.Reverse, "refundfare": faults.Refund,
	"voidpreauthorization": faults.Void, "cancelfare": faults.Cancel,
}

// The names the handlers really return must be the names the definition handles: a
// transient failure is retried, a permanent one is not retried by a forward step but
// caught into its compensation, and a compensation retries everything.
func TestHandlerErrorNamesMatchTheDefinition(t *testing.T) {
	var definition struct{ States map[string]errorHandling }
	require.NoError(t, json.Unmarshal([]byte(statemachine.Definition), &definition))

	for _, fn := range statemachine.Functions {
		t.Run(fn.Name, func(t *testing.T) {
			states := definition.States[fn.State]
			services, err := testEnv(t).Services()
			require.NoError(t, err)
			handlers := services.Handlers()
			handler := handlers[fn.Name]
			require.NotNil(t, handler)
			step := faultStep[fn.Name]

			transient := invoke(t, handler, "cust"+faults.Switch("transient", step), 0)
			require.NotEmpty(t, transient)
			assert.True(t, states.retries(transient), "%s returns %s for a transient fault; the definition must retry it", fn.State, transient)

			permanent := invoke(t, handler, "cust"+faults.Switch("fail", step), 0)
			require.NotEmpty(t, permanent)
			if fn.Compensation {
				assert.True(t, states.retries(permanent), "compensations retry everything")
				assert.Empty(t, states.catchTarget(permanent), "a compensation that still fails fails the execution in place, where a redrive resumes it")
			} else {
				assert.False(t, states.retries(permanent), "%s: %s is permanent and must not be retried", fn.State, permanent)
				assert.NotEmpty(t, states.catchTarget(permanent), "%s: %s must be caught", fn.State, permanent)
			}
			// Once the fault has passed the step succeeds, after the forward steps it needs.
			customer := "cust" + faults.Switch("transient", step)
			for _, before := range statemachine.Functions {
				if before.Name == fn.Name || before.Compensation {
					break
				}
				require.Empty(t, invoke(t, handlers[before.Name], customer, 0), before.State)
			}
			assert.Empty(t, invoke(t, handler, customer, faults.TransientFailures),
				"%s succeeds once the transient fault has passed", fn.State)
		})
	}
}

func TestInvalidInputGoesStraightToFailure(t *testing.T) {
	var definition struct{ States map[string]errorHandling }
	require.NoError(t, json.Unmarshal([]byte(statemachine.Definition), &definition))
	services, err := testEnv(t).Services()
	require.NoError(t, err)
	handlers := services.Handlers()

	_, err = lambda.NewHandler(handlers["registerfare"]).Invoke(context.Background(), []byte(`{"fare":{"fareId":"f","amount":"12.50"},"attempt":0}`))
	require.Error(t, err)
	name := steperr.Name(err)
	assert.Equal(t, "InvalidFareInput", name)
	register := definition.States[statemachine.RegisterFare]
	assert.False(t, register.retries(name))
	assert.Equal(t, statemachine.FareProcessingFailed, register.catchTarget(name))
}
