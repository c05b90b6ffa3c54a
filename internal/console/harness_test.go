package console_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/sfnlocal/task"
	"github.com/faresaga/faresaga/statemachine"
)

// The package's tests share one `faresaga local`, on free loopback ports and virtual
// time, and one browser (browser_test.go).
var (
	server *localapi.Server
	sfnAPI *sfn.Client
	gate   = &holds{held: map[string]chan struct{}{}}
)

func TestMain(m *testing.M) {
	srv, err := localapi.Start(context.Background(), localapi.Config{
		Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0",
		VirtualTime: true, Seed: 12, WrapFunctions: gate.wrap,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start faresaga local:", err)
		os.Exit(1)
	}
	server, sfnAPI = srv, localapi.NewSFNClient(srv.Endpoint)
	code := m.Run()
	closeBrowser()
	gate.releaseAll()
	srv.Close()
	os.Exit(code)
}

// holds keeps a fare in ChargeFare until released: the fares whose fareId starts with
// "held-", so that a test can watch one run. A held call gives up when its Task times
// out (15 s, on the wall clock).
type holds struct {
	mu   sync.Mutex
	held map[string]chan struct{}
}

const heldPrefix = "held-"

func (h *holds) channel(name string) chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.held[name]
	if !ok {
		ch = make(chan struct{})
		h.held[name] = ch
	}
	return ch
}

func (h *holds) wrap(inner task.Integration) task.Integration {
	return task.IntegrationFunc(func(ctx context.Context, req task.Request) (any, error) {
		if req.Caller.StateName == statemachine.ChargeFare && strings.HasPrefix(req.Caller.ExecutionName, heldPrefix) {
			select {
			case <-h.channel(req.Caller.ExecutionName):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return inner.Invoke(ctx, req)
	})
}

func (h *holds) release(name string) {
	ch := h.channel(name)
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func (h *holds) releaseAll() {
	h.mu.Lock()
	names := make([]string, 0, len(h.held))
	for name := range h.held {
		names = append(names, name)
	}
	h.mu.Unlock()
	for _, name := range names {
		h.release(name)
	}
}

var uniqueNames = struct {
	sync.Mutex
	n int
}{}

// unique is a new name for a test's fare or execution.
func unique(prefix string) string {
	uniqueNames.Lock()
	defer uniqueNames.Unlock()
	uniqueNames.n++
	return fmt.Sprintf("%s%d-%d", prefix, time.Now().UnixNano()%1_000_000, uniqueNames.n)
}

func fareExecutionARN(fareID string) string {
	return "arn:aws:states:" + embedded.Region + ":" + embedded.Account + ":execution:" + embedded.StateMachineName + ":" + fareID
}

// waitFor polls DescribeExecution until the execution has the status.
func waitFor(t *testing.T, arn string, status sfntypes.ExecutionStatus) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := sfnAPI.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err == nil && out.Status == status {
			return
		}
		if time.Now().After(deadline) {
			require.Failf(t, "execution did not reach its status", "%s: want %s, last %v (%v)", arn, status, out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// page is a console page as a test reads it.
type page struct {
	Status int
	Header http.Header
	Body   string
}

var noRedirects = &http.Client{Timeout: 20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, path string) page {
	t.Helper()
	return do(t, http.MethodGet, path, nil, nil)
}

func post(t *testing.T, path string, form url.Values, headers map[string]string) page {
	t.Helper()
	return do(t, http.MethodPost, path, form, headers)
}

func do(t *testing.T, method, path string, form url.Values, headers map[string]string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, server.Endpoint+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	read, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(read)}
}

var executionLink = regexp.MustCompile(`<td class="name"><a href="/execution\?arn=([^"]+)">([^<]*)</a>`)

// listedNames reads the execution names a list page shows, in order.
func listedNames(body string) []string {
	var names []string
	for _, m := range executionLink.FindAllStringSubmatch(body, -1) {
		names = append(names, m[2])
	}
	return names
}

var pagerLink = regexp.MustCompile(`<a href="([^"]+)" rel="(next|prev)">`)

// pagerURL is the list page's link to the older (next) or newer (prev) page, "" if none.
func pagerURL(body, rel string) string {
	for _, m := range pagerLink.FindAllStringSubmatch(body, -1) {
		if m[2] == rel {
			return html.UnescapeString(m[1])
		}
	}
	return ""
}

// createMachine creates a state machine through the Step Functions API.
func createMachine(t *testing.T, name, definition string) string {
	t.Helper()
	out, err := sfnAPI.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(embedded.RoleARN)})
	require.NoError(t, err)
	return aws.ToString(out.StateMachineArn)
}

// startExecution starts an execution through the Step Functions API, past the door.
func startExecution(t *testing.T, machineARN, name, input string) string {
	t.Helper()
	out, err := sfnAPI.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machineARN), Name: aws.String(name), Input: aws.String(input)})
	require.NoError(t, err)
	return aws.ToString(out.ExecutionArn)
}
