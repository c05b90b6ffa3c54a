package embedded

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/payment"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// A second fare under a fareId that is taken changes nothing of the first: not while the
// first runs, not after it completed, was cancelled or was left for an operator; not
// under the same execution name (reused once Step Functions forgot the first) and not
// under another one; not when it is the same fare sent again, nor a different one.
func TestASecondFareWithATakenFareIDChangesNothingOfTheFirst(t *testing.T) {
	firsts := []struct {
		name     string
		customer string
		ends     fare.Status // "" while it is held running in ChargeFare
	}{
		{"first completed", "cust-42", fare.Completed},
		{"first cancelled", "cust-42_fail_charge", fare.Cancelled},
		{"first needs attention", "cust-42_fail_refund", fare.NeedsAttention},
		{"first still running", "cust-42", ""},
	}
	seconds := []struct {
		name, executionName, input string
		wantError                  string
	}{
		{"same name, same fare", "fare-1", "", "FareConflict"},
		{"same name, another fare", "fare-1", FareInput("fare-1", "cust-99"), "FareConflict"},
		{"another name, same fare", "fare-1-again", "", "InvalidFareInput"},
		{"another name, another fare", "fare-1-again", `{"fareId":"fare-1","customerId":"cust-99","amount":999,"currency":"EUR","paymentToken":"tok_other"}`, "InvalidFareInput"},
	}
	for _, first := range firsts {
		for _, second := range seconds {
			t.Run(first.name+"/"+second.name, func(t *testing.T) {
				s, virtual, hold := startHoldingStack(t, first.ends == "")
				ctx := context.Background()
				firstInput := FareInput("fare-1", first.customer)
				a, err := s.StartFare(ctx, firstInput)
				require.NoError(t, err)
				if first.ends == "" {
					hold.reached()
				} else {
					require.NoError(t, s.Settled(ctx, a))
				}
				before := snapshot(t, s)
				// Later, as a name reused after Step Functions forgot the first execution.
				virtual.Advance(time.Second)

				input := second.input
				if input == "" {
					input = firstInput
				}
				b, err := s.StartNamed(ctx, second.executionName, input)
				require.NoError(t, err)
				require.NoError(t, s.Settled(ctx, b))

				r := b.Result()
				assert.Equal(t, engine.Failed, r.Status)
				assert.Equal(t, second.wantError, r.Error, r.Cause)
				assert.Empty(t, compensations(b), "a conflicting execution compensates nothing")
				assert.False(t, entered(b, statemachine.FareNeedsAttention))
				assert.Equal(t, before, snapshot(t, s), "no row of any table, no gateway record, no message changed")

				if first.ends == "" {
					hold.release()
					require.NoError(t, s.Settled(ctx, a))
					require.Equal(t, engine.Succeeded, a.Result().Status, a.Result().Cause)
				}
				v := readTables(t, s, "fare-1", first.customer)
				want := first.ends
				if want == "" {
					want = fare.Completed
				}
				assert.Equal(t, want, v.fare.Status, "the first fare ends as it would have alone")
				assert.Equal(t, OwnerOf(a), v.fare.OwnerExecution)
			})
		}
	}
}

// tablesSnapshot is everything a saga can change: every item of every table, what the
// gateway holds for the fare's owner, and the messages published.
type tablesSnapshot struct {
	items    map[string][]map[string]types.AttributeValue
	gateway  gateway.Authorization
	found    bool
	messages int
}

func snapshot(t *testing.T, s *Stack) tablesSnapshot {
	t.Helper()
	ctx := context.Background()
	snap := tablesSnapshot{items: map[string][]map[string]types.AttributeValue{}, messages: len(s.Topic.Messages())}
	for _, spec := range tables.All() {
		out, err := s.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(spec.Name), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		snap.items[spec.Name] = out.Items
	}
	record, _, err := s.Services.Fare.Get(ctx, "fare-1")
	require.NoError(t, err)
	snap.gateway, snap.found, err = s.Services.Payment.Gateway.Lookup(ctx, payment.AuthorizationKey("fare-1", record.OwnerExecution))
	require.NoError(t, err)
	return snap
}

// chargeHold keeps the first ChargeFare invocation of the stack waiting until released,
// so a fare can be caught in flight.
type chargeHold struct {
	once     sync.Once
	arrived  chan struct{}
	released chan struct{}
}

func (h *chargeHold) reached() { <-h.arrived }
func (h *chargeHold) release() { close(h.released) }

func startHoldingStack(t *testing.T, holding bool) (*Stack, *clock.Virtual, *chargeHold) {
	t.Helper()
	virtual := clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	hold := &chargeHold{arrived: make(chan struct{}), released: make(chan struct{})}
	opts := Options{Clock: virtual, Seed: 7, FaultInjection: true}
	if holding {
		opts.WrapFunctions = func(inner task.Integration) task.Integration {
			return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
				if req.Caller.StateName == statemachine.ChargeFare {
					first := false
					hold.once.Do(func() { first = true })
					if first {
						close(hold.arrived)
						<-hold.released
					}
				}
				return inner.Invoke(ctx, req)
			})
		}
	}
	s, err := Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, virtual, hold
}

// A second execution whose RegisterFare never ran (Lambda timed out before the handler)
// compensates, as any execution does; its CancelFare finds the fare another's, changes
// nothing, and the execution announces nothing about a fare it never owned.
func TestAConflictingExecutionThatNeverRegisteredAnnouncesNothing(t *testing.T) {
	for _, name := range []string{"fare-1", "fare-1-again"} {
		t.Run(name, func(t *testing.T) {
			virtual := clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
			var second atomic.Bool
			s, err := Start(Options{Clock: virtual, Seed: 7, FaultInjection: true,
				WrapFunctions: func(inner task.Integration) task.Integration {
					return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
						if second.Load() && req.Caller.StateName == statemachine.RegisterFare {
							return nil, &failure.Error{Name: "Sandbox.Timedout", Cause: "Task timed out after 10.00 seconds"}
						}
						return inner.Invoke(ctx, req)
					})
				}})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })
			ctx := context.Background()
			_, err = s.RunFare(ctx, FareInput("fare-1", "cust-42"))
			require.NoError(t, err)
			before := snapshot(t, s)
			virtual.Advance(time.Second)

			second.Store(true)
			b, err := s.StartNamed(ctx, name, FareInput("fare-1", "cust-99"))
			require.NoError(t, err)
			require.NoError(t, s.Settled(ctx, b))
			assert.Equal(t, engine.Failed, b.Result().Status)
			assert.Equal(t, []string{statemachine.CancelFare}, compensations(b))
			assert.False(t, entered(b, statemachine.NotifyFailure), "nothing announced about another's fare")
			assert.Equal(t, before, snapshot(t, s))
		})
	}
}

// An input started past the front door with card data, whose RegisterFare never ran (a
// Lambda timeout before the handler), compensates like any execution; CancelFare finds no
// fare in it, and nothing of the input, any field of which may be card data, is published.
func TestAnInputThatWasNeverAFareAnnouncesNothing(t *testing.T) {
	s, err := Start(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 7, FaultInjection: true,
		WrapFunctions: func(inner task.Integration) task.Integration {
			return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
				if req.Caller.StateName == statemachine.RegisterFare {
					return nil, &failure.Error{Name: "Sandbox.Timedout", Cause: "Task timed out after 10.00 seconds"}
				}
				return inner.Invoke(ctx, req)
			})
		}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	x, err := s.RunFare(context.Background(), `{"fareId":"fare-1","customerId":"rider.5555555555554444","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`)
	require.NoError(t, err)
	assert.Equal(t, engine.Failed, x.Result().Status)
	assert.Equal(t, []string{statemachine.CancelFare}, compensations(x))
	assert.False(t, entered(x, statemachine.NotifyFailure))
	assert.Empty(t, s.Topic.Messages(), "nothing of the input reaches the topic")
	assert.NotContains(t, x.Result().Cause, "5555555555554444")
	for _, items := range snapshot(t, s).items {
		assert.Empty(t, items, "nothing is written")
	}
}
