package intake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// These tests drive the door as clients do, over HTTP, on `faresaga local` started
// in-process: the door in front of the Step Functions API running THE definition with
// the real handlers, and the tables' DynamoDB endpoint, on virtual time.

// heldPrefix starts the fareId of a fare that waits in ChargeFare until released, so
// that it can be caught running; heldInRegisterPrefix one that waits in RegisterFare,
// before anything is written.
const (
	heldPrefix           = "held-"
	heldInRegisterPrefix = "heldreg-"
)

type localDoor struct {
	srv   *localapi.Server
	sfn   *sfn.Client
	db    *dynamodb.Client
	logs  *syncbuf.Buffer
	holds *holds
	http  *http.Client
}

func startDoor(t *testing.T) *localDoor {
	t.Helper()
	d := &localDoor{logs: &syncbuf.Buffer{}, holds: newHolds()}
	srv, err := localapi.Start(context.Background(), localapi.Config{
		Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0",
		VirtualTime: true, Seed: 5, DoorLogs: d.logs, WrapFunctions: d.holds.wrap,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		d.holds.releaseAll()
		srv.Close()
	})
	d.http = newHTTPClient(t) // after the server's cleanup, so that it runs before
	d.srv, d.sfn, d.db = srv, localapi.NewSFNClient(srv.Endpoint), dynamotest.NewClient(srv.Stack.DynamoDBURL)
	return d
}

// newHTTPClient is a client whose connections are closed before the servers stop: a
// graceful shutdown waits seconds for a connection that was dialled and never used.
func newHTTPClient(t *testing.T) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections) // cleanups run last-registered first
	return &http.Client{Transport: transport}
}

// answer is an HTTP answer of the door.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t *testing.T, into any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, into), "%s", a.body)
}

func (d *localDoor) do(t *testing.T, method, path, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, d.srv.DoorURL+path, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := d.http.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	read, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: read}
}

func (d *localDoor) post(t *testing.T, body string) answer {
	t.Helper()
	return d.do(t, http.MethodPost, "/fares", "application/json", body)
}

func (d *localDoor) get(t *testing.T, fareID string) answer {
	t.Helper()
	return d.do(t, http.MethodGet, "/fares/"+fareID, "", "")
}

// executionARN is the ARN of the fare machine's execution named fareID.
func (d *localDoor) executionARN(fareID string) string {
	return strings.Replace(d.srv.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + fareID
}

// stop stops the execution of fareID, as an operator would, and waits for its end.
func (d *localDoor) stop(t *testing.T, fareID string) {
	t.Helper()
	_, err := d.sfn.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: aws.String(d.executionARN(fareID))})
	require.NoError(t, err)
	d.waitForEnd(t, fareID)
}

// waitForEnd waits until the execution of fareID is no longer running.
func (d *localDoor) waitForEnd(t *testing.T, fareID string) *sfn.DescribeExecutionOutput {
	t.Helper()
	arn := aws.String(d.executionARN(fareID))
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		out, err := d.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
		require.NoError(t, err)
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
	}
	t.Fatalf("the execution of %s did not end", fareID)
	return nil
}

// executions lists every execution of the machine.
func (d *localDoor) executions(t *testing.T) []sfntypes.ExecutionListItem {
	t.Helper()
	var all []sfntypes.ExecutionListItem
	pages := sfn.NewListExecutionsPaginator(d.sfn, &sfn.ListExecutionsInput{StateMachineArn: aws.String(d.srv.StateMachineARN)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		require.NoError(t, err)
		all = append(all, page.Executions...)
	}
	return all
}

// items is every item of every table, by table.
func (d *localDoor) items(t *testing.T) map[string][]map[string]dbtypes.AttributeValue {
	t.Helper()
	all := map[string][]map[string]dbtypes.AttributeValue{}
	for _, spec := range tables.All() {
		out, err := d.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(spec.Name), ConsistentRead: aws.Bool(true)})
		require.NoError(t, err)
		all[spec.Name] = out.Items
	}
	return all
}

// logLines are the door's log lines, decoded, without their timestamps (whose digits
// are the clock's, and could match anything).
func (d *localDoor) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(d.logs.String()), "\n") {
		if line == "" {
			continue
		}
		var fields map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &fields), line)
		delete(fields, "time")
		lines = append(lines, fields)
	}
	return lines
}

// holds keeps the ChargeFare of every fare whose fareId starts with heldPrefix waiting
// until released.
type holds struct {
	mu       sync.Mutex
	arrived  map[string]chan struct{}
	released map[string]chan struct{}
}

func newHolds() *holds {
	return &holds{arrived: map[string]chan struct{}{}, released: map[string]chan struct{}{}}
}

func (h *holds) channels(fareID string) (arrived, released chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.arrived[fareID] == nil {
		h.arrived[fareID], h.released[fareID] = make(chan struct{}), make(chan struct{})
	}
	return h.arrived[fareID], h.released[fareID]
}

func (h *holds) wrap(inner task.Integration) task.Integration {
	return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
		held := (req.Caller.StateName == statemachine.ChargeFare && strings.HasPrefix(req.Caller.ExecutionName, heldPrefix)) ||
			(req.Caller.StateName == statemachine.RegisterFare && strings.HasPrefix(req.Caller.ExecutionName, heldInRegisterPrefix))
		if held && req.Caller.Invocation == 0 {
			arrived, released := h.channels(req.Caller.ExecutionName)
			close(arrived)
			select {
			case <-released:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return inner.Invoke(ctx, req)
	})
}

// reached waits until the fare is held.
func (h *holds) reached(t *testing.T, fareID string) {
	t.Helper()
	arrived, _ := h.channels(fareID)
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never reached the state it is held in", fareID)
	}
}

func (h *holds) release(fareID string) {
	_, released := h.channels(fareID)
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-released:
	default:
		close(released)
	}
}

func (h *holds) releaseAll() {
	h.mu.Lock()
	names := make([]string, 0, len(h.released))
	for name := range h.released {
		names = append(names, name)
	}
	h.mu.Unlock()
	for _, name := range names {
		h.release(name)
	}
}

// isAbsent reports whether err says there is no such execution.
func isAbsent(err error) bool {
	var missing *sfntypes.ExecutionDoesNotExist
	return errors.As(err, &missing)
}

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// settledStatus is GET /fares/{fareId} once the attention watcher has had its say: a
// stuck fare is marked shortly after its execution stopped, and until then the door
// reports it stuck without saying where.
func (d *localDoor) settledStatus(t *testing.T, fareID string) (answer, intake.FareStatus) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := d.get(t, fareID)
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
		var got intake.FareStatus
		a.decode(t, &got)
		if got.Status != intake.StatusNeedsAttention || (got.Attention != nil && got.Attention.State != "") || time.Now().After(deadline) {
			return a, got
		}
		time.Sleep(5 * time.Millisecond)
	}
}
