package account

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/faults"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/internal/saga/sagatest"
	"github.com/faresaga/faresaga/internal/steperr"
	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/internal/tables"
)

// paymentToken is in every fare the tests send; it must never reach a log line.
const paymentToken = "tok_secret_do_not_log_7f3a"

var startOfTest = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

type fixture struct {
	svc  *Service
	wire *wire
	logs *syncbuf.Buffer
	now  time.Time
}

// newFixture serves a fresh CustomerAccounts table over the real wire protocol, with
// fault injection on and a clock that only moves when a test moves it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	options := dynamotest.Start(t).Client.Options()
	w := &wire{next: http.DefaultTransport}
	options.HTTPClient = &http.Client{Transport: w}
	f := &fixture{wire: w, logs: &syncbuf.Buffer{}, now: startOfTest}
	f.svc = &Service{
		DB:     dynamodb.New(options),
		Table:  tables.CustomerAccounts.Name,
		Faults: faults.New(true),
		Now:    func() time.Time { return f.now },
		Log:    jsonLogger(f.logs),
	}
	return f
}

func (f *fixture) advance(d time.Duration) { f.now = f.now.Add(d) }

func (f *fixture) credit(t *testing.T, fare saga.Fare, attempt int) (CreditResult, error) {
	t.Helper()
	return f.svc.CreditCustomerAccount(context.Background(), stepInput(t, fare, attempt))
}

func (f *fixture) reverse(t *testing.T, fare saga.Fare, attempt int) (saga.CompensationResult, error) {
	t.Helper()
	return f.svc.ReverseCustomerCredit(context.Background(), stepInput(t, fare, attempt))
}

func (f *fixture) mustCredit(t *testing.T, fare saga.Fare) CreditResult {
	t.Helper()
	result, err := f.credit(t, fare, 0)
	require.NoError(t, err)
	return result
}

func (f *fixture) balance(t *testing.T, customerID, currency string) int64 {
	t.Helper()
	balance, err := f.svc.Balance(context.Background(), customerID, currency)
	require.NoError(t, err)
	return balance
}

func (f *fixture) entries(t *testing.T, customerID string) []Entry {
	t.Helper()
	entries, err := f.svc.Entries(context.Background(), customerID)
	require.NoError(t, err)
	return entries
}

func fareOf(fareID, customerID string, amount int64, currency string) saga.Fare {
	fare := saga.Fare{FareID: fareID, CustomerID: customerID, PaymentToken: paymentToken}
	fare.Amount, fare.Currency = amount, currency
	return fare
}

// stepInput is the payload the state machine would send for fare.
func stepInput(t *testing.T, fare saga.Fare, attempt int) saga.StepInput {
	t.Helper()
	raw, err := json.Marshal(fare)
	require.NoError(t, err)
	return saga.StepInput{Fare: raw, Attempt: attempt, Execution: sagatest.Execution(fare.FareID)}
}

// ownerOf is the owner stepInput's execution writes into the entries of fareID.
func ownerOf(fareID string) string { return sagatest.Execution(fareID).Owner() }

// errorName is the Step Functions error name of err, "" for success.
func errorName(err error) string {
	if err == nil {
		return ""
	}
	return steperr.Name(err)
}

// wire sits between the SDK and minidyn. It records every operation sent, and lets a
// test take over the next TransactWriteItems calls: to answer with a cancellation that
// minidyn, which serialises all requests, never produces (TransactionConflict), or to
// land another write right before or after one, at exactly the moment a race would.
type wire struct {
	next http.RoundTripper

	mu         sync.Mutex
	operations []string
	hooks      []transactHook
}

// transactHook handles one TransactWriteItems request; send forwards it to minidyn.
type transactHook func(req *http.Request, send func() (*http.Response, error)) (*http.Response, error)

func (w *wire) onNextTransactions(hooks ...transactHook) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hooks = append(w.hooks, hooks...)
}

func (w *wire) sent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.operations...)
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	operation := req.Header.Get("X-Amz-Target")
	operation = operation[strings.LastIndex(operation, ".")+1:]
	w.mu.Lock()
	w.operations = append(w.operations, operation)
	var hook transactHook
	if operation == "TransactWriteItems" && len(w.hooks) > 0 {
		hook, w.hooks = w.hooks[0], w.hooks[1:]
	}
	w.mu.Unlock()
	send := func() (*http.Response, error) { return w.next.RoundTrip(req) }
	if hook == nil {
		return send()
	}
	return hook(req, send)
}

// conflict answers as DynamoDB does when another transaction holds one of the items.
func conflict(req *http.Request, _ func() (*http.Response, error)) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var request struct{ TransactItems []json.RawMessage }
	if err := json.Unmarshal(body, &request); err != nil {
		return nil, err
	}
	reasons := make([]string, len(request.TransactItems))
	for i := range reasons {
		reasons[i] = `{"Code":"None"}`
	}
	reasons[len(reasons)-1] = `{"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}`
	return &http.Response{
		StatusCode: http.StatusBadRequest,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(strings.NewReader(fmt.Sprintf(
			`{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled","CancellationReasons":[%s]}`,
			strings.Join(reasons, ",")))),
		Request: req,
	}, nil
}

// before returns a hook that does something just before the transaction reaches the
// endpoint, after the handler has read the ledger and decided.
func before(something func()) transactHook {
	return func(_ *http.Request, send func() (*http.Response, error)) (*http.Response, error) {
		something()
		return send()
	}
}

// after returns a hook that does something once the transaction was answered, before
// the handler sees the answer.
func after(something func()) transactHook {
	return func(_ *http.Request, send func() (*http.Response, error)) (*http.Response, error) {
		resp, err := send()
		something()
		return resp, err
	}
}

func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
