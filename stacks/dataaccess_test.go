package stacks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/fareclient"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// The stack grants each function exactly the DynamoDB actions its code uses. Each
// function's real handler, built from its environment as its Lambda main builds it (the
// simulated gateway in its table, as deployed), runs the saga down every failure switch,
// every transient fault and lost response, and again on fares another execution owns,
// against one DynamoDB endpoint that records, per function, each action on each table
// (the items of a transaction included). What a function used must be granted; what it
// was granted must have been used.
func TestFunctionsHaveExactlyTheDynamoDBActionsTheirCodeUses(t *testing.T) {
	used := recordDynamoDBActions(t)

	for _, fn := range statemachine.Functions {
		t.Run(fn.Name, func(t *testing.T) {
			granted := map[string][]string{}
			for _, st := range dev.roleStatements(t, dev.props(dev.functions[fn.Name])["Role"]) {
				for _, action := range st.actions {
					if strings.HasPrefix(action, "dynamodb:") {
						table := tableNameOf(t, refs(st.resources))
						granted[table] = append(granted[table], action)
					}
				}
			}
			for table, actions := range used[fn.Name] {
				for _, action := range actions {
					assert.Contains(t, granted[table], action, "%s uses %s on %s, which its role does not grant: AccessDenied on AWS", fn.Name, action, table)
				}
			}
			for table, actions := range granted {
				for _, action := range actions {
					assert.Contains(t, used[fn.Name][table], action, "%s is granted %s on %s but never used it: remove it from functionTableActions, or add the scenario that needs it", fn.Name, action, table)
				}
			}
		})
	}
}

// tableNameOf is the logical name (tables.Spec.Name) of the table a statement's
// resource refers to.
func tableNameOf(t *testing.T, ids []string) string {
	t.Helper()
	require.Len(t, ids, 1)
	for name, id := range dev.tables {
		if id == ids[0] {
			return name
		}
	}
	t.Fatalf("%s is not one of the tables", ids[0])
	return ""
}

// recordDynamoDBActions runs the scenarios and returns, per function and table, the
// DynamoDB actions (IAM names) the function's handler made.
func recordDynamoDBActions(t *testing.T) map[string]map[string][]string {
	t.Helper()
	rec := &actionRecorder{used: map[string]map[string]map[string]bool{}}
	virtual := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var dynamoURL string
	handlers := &lazyFunctions{build: func() (*task.Functions, error) { return deployedHandlers(t, dynamoURL, virtual) }}
	stack, err := embedded.Start(embedded.Options{
		Clock: virtual, Seed: 1, FaultInjection: true,
		WrapDynamoDB:  rec.wrap,
		WrapFunctions: func(task.Integration) task.Integration { return handlers },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = stack.Close() })
	dynamoURL = stack.DynamoDBURL

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var switches []string
	for _, step := range faults.Steps {
		switches = append(switches, faults.Switch("fail", step))
		if step != faults.Complete { // a direct integration: nothing to make transient or lose
			switches = append(switches, faults.Switch("transient", step), faults.Switch("lost", step))
		}
	}
	switches = append(switches, "", "_transient_auth_lost_charge")
	for i, sw := range switches {
		fareID := fmt.Sprintf("fare-%d", i)
		_, err := stack.RunFare(ctx, embedded.FareInput(fareID, "cust-"+fareID+sw))
		require.NoError(t, err, sw)
		// The same fare again under the same name, by a later execution: every step
		// meets records another execution owns.
		virtual.Advance(time.Second)
		x, err := stack.StartNamed(ctx, fareID, embedded.FareInput(fareID, "cust-"+fareID+"_fail_register"))
		require.NoError(t, err, sw)
		_, err = x.Wait(ctx)
		require.NoError(t, err, sw)
	}
	require.NoError(t, handlers.err)
	return rec.actions()
}

// deployedHandlers builds each function's handler as its Lambda main does, from the
// environment the stack gives it (its tables' variables only, fault injection on, the
// simulated gateway), with AWS_ENDPOINT_URL naming the function in the path so the
// recorder knows who called.
func deployedHandlers(t *testing.T, dynamoURL string, now clock.Clock) (*task.Functions, error) {
	functions := task.NewFunctions(task.Env{Region: embedded.Region, AccountID: embedded.Account, Now: now.Now})
	for _, fn := range statemachine.Functions {
		vars := map[string]string{
			"AWS_ENDPOINT_URL": dynamoURL + "/" + fn.Name, "AWS_REGION": embedded.Region,
			"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null",
			"AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
			lambdaenv.FaultInjectionVar:   "enabled", lambdaenv.PaymentGatewayVar: "simulated", lambdaenv.LogLevelVar: "error",
		}
		for _, spec := range tables.All() {
			vars[spec.EnvVar] = ""
		}
		for _, spec := range fn.Tables {
			vars[spec.EnvVar] = spec.Name
		}
		for name, value := range vars {
			t.Setenv(name, value)
		}
		env, err := lambdaenv.Load(context.Background())
		if err != nil {
			return nil, err
		}
		var services lambdaenv.Services
		switch fn.Tables[0] {
		case tables.Fares:
			services.Fare, err = env.FareService()
		case tables.CustomerAccounts:
			services.Account, err = env.AccountService()
		default:
			services.Payment, err = env.PaymentService()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name, err)
		}
		functions.RegisterFunction(embedded.FunctionARN(fn.Name), services.Handlers()[fn.Name])
	}
	return functions, nil
}

// lazyFunctions builds the handlers at the first invocation, once the endpoint they
// talk to is known.
type lazyFunctions struct {
	build     func() (*task.Functions, error)
	once      sync.Once
	functions *task.Functions
	err       error
}

func (l *lazyFunctions) Invoke(ctx context.Context, req task.Request) (any, error) {
	l.once.Do(func() { l.functions, l.err = l.build() })
	if l.err != nil {
		return nil, l.err
	}
	return l.functions.Invoke(ctx, req)
}

// actionRecorder stands in front of the DynamoDB endpoint. A request to /<function>
// is that function's; anything else is the state machine's own (direct integrations)
// or the test's.
type actionRecorder struct {
	mu   sync.Mutex
	used map[string]map[string]map[string]bool // function -> table -> action
}

func (r *actionRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		function, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
		if function != "" {
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			_, operation, _ := strings.Cut(req.Header.Get("X-Amz-Target"), ".")
			r.record(function, operation, body)
			req.URL.Path = "/"
			w = &checksummed{ResponseWriter: w}
			defer w.(*checksummed).flush()
		}
		next.ServeHTTP(w, req)
	})
}

// checksummed adds the X-Amz-Crc32 header DynamoDB sends and the SDK the functions use
// (built as deployed) checks, which the local endpoint leaves out.
type checksummed struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *checksummed) WriteHeader(status int)      { c.status = status }
func (c *checksummed) Write(b []byte) (int, error) { return c.body.Write(b) }

func (c *checksummed) flush() {
	c.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(c.body.Bytes())), 10))
	c.Header().Set("Content-Length", strconv.Itoa(c.body.Len()))
	if c.status != 0 {
		c.ResponseWriter.WriteHeader(c.status)
	}
	_, _ = c.ResponseWriter.Write(c.body.Bytes())
}

func (r *actionRecorder) record(function, operation string, body []byte) {
	var request struct {
		TableName     string
		TransactItems []map[string]struct{ TableName string }
		RequestItems  map[string]json.RawMessage
	}
	_ = json.Unmarshal(body, &request)
	r.mu.Lock()
	defer r.mu.Unlock()
	add := func(table, action string) {
		if r.used[function] == nil {
			r.used[function] = map[string]map[string]bool{}
		}
		if r.used[function][table] == nil {
			r.used[function][table] = map[string]bool{}
		}
		r.used[function][table]["dynamodb:"+action] = true
	}
	switch {
	case len(request.TransactItems) > 0: // authorised item by item
		itemAction := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
		for _, item := range request.TransactItems {
			for kind, target := range item {
				add(target.TableName, itemAction[kind])
			}
		}
	case len(request.RequestItems) > 0:
		for table := range request.RequestItems {
			add(table, operation)
		}
	default:
		add(request.TableName, operation)
	}
}

func (r *actionRecorder) actions() map[string]map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]map[string][]string{}
	for function, byTable := range r.used {
		out[function] = map[string][]string{}
		for table, actions := range byTable {
			for action := range actions {
				out[function][table] = append(out[function][table], action)
			}
			sort.Strings(out[function][table])
		}
	}
	return out
}

// The watcher and the door are held to the same rule as the saga's functions. Their
// Fares service is built as their Lambda mains build it, against `faresaga local` (the
// Step Functions API the door starts and resumes through): fares start through the
// door, one is stuck by a compensation that fails for good and resumed (and stuck again),
// one is stopped before its RegisterFare ran, then resumed; the door reads fares and
// refuses an unknown one.
func TestTheWatcherAndTheDoorHaveExactlyTheDynamoDBActionsTheirCodeUses(t *testing.T) {
	rec := &actionRecorder{used: map[string]map[string]map[string]bool{}}
	const stopped = "fare-stopped"
	holding := make(chan struct{})
	server, err := localapi.Start(context.Background(), localapi.Config{
		Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", VirtualTime: true, Seed: 1, WrapDynamoDB: rec.wrap,
		WrapFunctions: func(inner task.Integration) task.Integration {
			var once sync.Once
			return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
				fire := false
				if req.Caller.ExecutionName == stopped && req.Caller.StateName == statemachine.RegisterFare {
					once.Do(func() { fire = true })
				}
				if !fire {
					return inner.Invoke(ctx, req)
				}
				close(holding)
				<-ctx.Done() // held until the test stops the execution
				return nil, ctx.Err()
			})
		},
	})
	require.NoError(t, err)
	t.Cleanup(server.Close)
	dynamoURL := server.Stack.DynamoDBURL
	environment := func(function string, vars map[string]string) lambdaenv.Env {
		all := map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": dynamoURL + "/" + function, "AWS_ENDPOINT_URL_SFN": server.Endpoint,
			"AWS_REGION": embedded.Region, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_PROFILE": "",
			"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", lambdaenv.LogLevelVar: "error",
			tables.Fares.EnvVar: tables.Fares.Name,
		}
		for k, v := range vars {
			all[k] = v
		}
		for k, v := range all {
			t.Setenv(k, v)
		}
		env, err := lambdaenv.Load(context.Background())
		require.NoError(t, err)
		return env
	}
	watcher, err := environment(WatcherFunction, map[string]string{lambdaenv.FareOutcomeTopicVar: embedded.TopicARN}).Watcher()
	require.NoError(t, err)
	server.Stack.Watcher.Fares = watcher.Fares // what the watcher's code does to the table, as deployed
	door, err := environment(FrontDoorFunction, map[string]string{lambdaenv.StateMachineARNVar: server.StateMachineARN}).Door()
	require.NoError(t, err)
	doorServer := httptest.NewServer(door)
	t.Cleanup(doorServer.Close)
	client, err := fareclient.New(context.Background(), doorServer.URL, fareclient.Options{})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// await waits until the fare stands where the watcher or the saga leaves it.
	await := func(fareID string, status fare.Status, resumes int) {
		for {
			record, _, err := server.Stack.Services.Fare.Get(ctx, fareID)
			require.NoError(t, err)
			if record.Status == status && record.Resumes == resumes {
				return
			}
			require.NoError(t, ctx.Err(), "%s is %s after %d resumes, not %s after %d", fareID, record.Status, record.Resumes, status, resumes)
			time.Sleep(time.Millisecond)
		}
	}
	start := func(fareID, customer string) {
		answer, err := client.Start(ctx, []byte(embedded.FareInput(fareID, customer)))
		require.NoError(t, err)
		require.Less(t, answer.Status, 300, "%s", answer.Body)
	}
	resume := func(fareID string, want int) {
		answer, err := client.Resume(ctx, fareID)
		require.NoError(t, err)
		require.Equal(t, want, answer.Status, "%s", answer.Body)
	}

	start("fare-stuck", "cust_fail_refund")
	await("fare-stuck", fare.NeedsAttention, 0)
	resume("fare-stuck", http.StatusAccepted)
	await("fare-stuck", fare.NeedsAttention, 1)

	start(stopped, "cust-1")
	<-holding
	sfnClient := localapi.NewSFNClient(server.Endpoint)
	_, err = sfnClient.StopExecution(ctx, &sfn.StopExecutionInput{
		ExecutionArn: aws.String(strings.Replace(server.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + stopped)})
	require.NoError(t, err)
	await(stopped, fare.NeedsAttention, 0) // written by the watcher
	resume(stopped, http.StatusAccepted)
	await(stopped, fare.Completed, 1)

	start(stopped, "cust-1") // the same fare again: the door finds it
	status, err := client.Status(ctx, stopped)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status.Status, "%s", status.Body)
	resume("fare-unknown", http.StatusNotFound)

	used := rec.actions()
	for function, granted := range map[string][]string{WatcherFunction: watcherFaresActions, FrontDoorFunction: doorFaresActions} {
		assert.Equal(t, map[string][]string{tables.Fares.Name: sorted(granted)}, used[function], "%s: what its code used", function)
		var inTemplate []string
		for _, st := range dev.roleStatements(t, dev.props(map[string]string{WatcherFunction: dev.watcher, FrontDoorFunction: dev.frontDoor}[function])["Role"]) {
			for _, action := range st.actions {
				if strings.HasPrefix(action, "dynamodb:") {
					assert.Equal(t, tables.Fares.Name, tableNameOf(t, refs(st.resources)), function)
					inTemplate = append(inTemplate, action)
				}
			}
		}
		assert.ElementsMatch(t, granted, inTemplate, "%s: what its role grants", function)
	}
}
