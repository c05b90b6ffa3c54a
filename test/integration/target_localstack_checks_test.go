package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/apigateway"
	"github.com/faresaga/faresaga/internal/fareclient"
)

// cliRequiredVar is set by make test, which installs the pinned CLI itself: there a
// missing cdklocal is a failure, not a reason to skip.
const cliRequiredVar = "FARESAGA_CDK_CLI_REQUIRED"

// The LocalStack target's deploy commands, run against a fake AWS endpoint on loopback,
// get past everything cdklocal checks and reach the endpoint, signed for the region and
// the credentials the suite reads LocalStack with, whatever the user's own AWS_
// variables say. The fake refuses every call, so nothing is deployed; what is checked is
// that cdklocal starts, synthesizes the app for the requested architecture, and talks
// to the endpoint it was given. (A missing AWS_ENDPOINT_URL_S3 stops cdklocal before any
// of that; a stripped region sends it to us-east-1.)
func TestLocalStackDeployCommandsReachTheEndpoint(t *testing.T) {
	root, err := repositoryRoot()
	require.NoError(t, err)
	if _, err := (localStackDeployment{Root: root}).cdklocal(); err != nil {
		if os.Getenv(cliRequiredVar) == "1" {
			t.Fatal(err)
		}
		t.Skipf("%v (make test installs it)", err)
	}
	// What a user's shell may hold: none of it may reach cdklocal.
	t.Setenv("AWS_PROFILE", "someone-else")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	os.Unsetenv("AWS_ENDPOINT_URL_S3")

	fake := &fakeAWS{}
	server := httptest.NewServer(fake)
	defer server.Close()
	deployment := localStackDeployment{
		Root: root, Endpoint: server.URL, Region: "eu-west-3",
		Architecture: "x86_64", Output: t.TempDir(),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmds, err := deployment.commands(ctx)
	require.NoError(t, err)
	require.Len(t, cmds, 2)
	for _, cmd := range cmds {
		name := cmd.Args[1]
		t.Run(name, func(t *testing.T) {
			before := fake.count()
			out, err := cmd.CombinedOutput()
			t.Logf("%s:\n%s", strings.Join(cmd.Args, " "), out)
			require.Error(t, err, "the fake endpoint refuses everything")
			assert.NotContains(t, string(out), "EnvironmentMisconfigurationError", "cdklocal's own checks")
			requests := fake.since(before)
			require.NotEmpty(t, requests, "cdklocal reached the endpoint it was given")
			for _, r := range requests {
				assert.Contains(t, r.authorization, "Credential="+localStackKey+"/", "signed with LocalStack's credentials, not the user's")
				assert.Contains(t, r.authorization, "/eu-west-3/", "signed for the suite's region")
			}
		})
	}
	// deploy synthesized before it called out: the functions are the host's build.
	template, err := os.ReadFile(filepath.Join(deployment.Output, stackName()+".template.json"))
	require.NoError(t, err, "cdklocal deploy synthesized the stack")
	var tpl struct {
		Resources map[string]struct {
			Type       string
			Properties struct{ Architectures []string }
		}
	}
	require.NoError(t, json.Unmarshal(template, &tpl))
	functions := 0
	for _, r := range tpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			functions++
			assert.Equal(t, []string{"x86_64"}, r.Properties.Architectures)
		}
	}
	assert.NotZero(t, functions)
}

// fakeAWS records each request's signature and refuses it the way AWS refuses a query
// protocol call (STS, CloudFormation), which the CLI does not retry.
type fakeAWS struct {
	mu       sync.Mutex
	requests []fakeRequest
}

type fakeRequest struct{ authorization string }

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{authorization: r.Header.Get("Authorization")})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
		`<Message>fake endpoint of the faresaga tests</Message></Error><RequestId>fake</RequestId></ErrorResponse>`))
}

func (f *fakeAWS) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeAWS) since(n int) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests[n:]...)
}

// Without LocalStack the target skips, saying what to start; with
// FARESAGA_LOCALSTACK_REQUIRED=1 (make test-localstack) that is a failure instead.
func TestAnUnreachableLocalStackSaysWhatToStart(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + listener.Addr().String()
	require.NoError(t, listener.Close())
	t.Setenv("AWS_ENDPOINT_URL", closed)

	t.Setenv(localStackRequiredVar, "")
	_, err = openLocalStackTarget(context.Background())
	var notThere *targetUnavailable
	require.True(t, errors.As(err, &notThere), "a skip: %v", err)
	assert.Contains(t, err.Error(), "make localstack")

	t.Setenv(localStackRequiredVar, "1")
	_, err = openLocalStackTarget(context.Background())
	require.Error(t, err)
	assert.False(t, errors.As(err, &notThere), "required: a failure, not a skip")
	assert.Contains(t, err.Error(), "LocalStack is not reachable at "+closed)
	assert.Contains(t, err.Error(), "make localstack")
	assert.Contains(t, err.Error(), "LOCALSTACK_AUTH_TOKEN")
}

func TestS3EndpointIsAddressedByPath(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	os.Unsetenv("AWS_ENDPOINT_URL_S3")
	assert.Equal(t, "http://127.0.0.1:4566", s3Endpoint("http://localhost:4566"))
	assert.Equal(t, "http://127.0.0.1:4566", s3Endpoint("http://127.0.0.1:4566"))
	assert.Equal(t, "https://localstack.example:443", s3Endpoint("https://localstack.example:443"))
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://s3.localhost.localstack.cloud:4566")
	assert.Equal(t, "http://s3.localhost.localstack.cloud:4566", s3Endpoint("http://localhost:4566"))
}

// On LocalStack, simultaneous submissions of one fare go one at a time; submissions of
// different fares still go together, and the door's answers come back whole.
func TestLocalStackSubmissionsOfOneFareAreSerialised(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := map[string]int{}, map[string]int{}
	total, mostTotal := 0, 0
	door := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ FareID string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		inFlight[in.FareID]++
		total++
		most[in.FareID] = max(most[in.FareID], inFlight[in.FareID])
		mostTotal = max(mostTotal, total)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		inFlight[in.FareID]--
		total--
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"fareId":"` + in.FareID + `"}`))
	}))
	defer door.Close()
	client, err := fareclient.New(context.Background(), door.URL, fareclient.Options{HTTP: serialSubmissionsPerFare()})
	require.NoError(t, err)

	var wg sync.WaitGroup
	for _, fareID := range []string{"fare-a", "fare-b"} {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answer, err := client.Start(context.Background(), []byte(`{"fareId":"`+fareID+`","amount":1}`))
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusAccepted, answer.Status)
					assert.JSONEq(t, `{"fareId":"`+fareID+`"}`, string(answer.Body))
				}
			}()
		}
	}
	wg.Wait()
	assert.Equal(t, map[string]int{"fare-a": 1, "fare-b": 1}, most, "one submission of a fare at a time")
	assert.Equal(t, 2, mostTotal, "two fares at once")
}

// The stand-in for the HTTP API on a LocalStack without API Gateway v2 hands each request
// to the door's function as API Gateway does (an event of payload format 2.0 through
// Lambda Invoke), and answers with the function's response event. Here the function is
// the project's own API Gateway adapter, the one the door's Lambda runs, in front of a
// handler that echoes what it got, behind a fake Lambda endpoint.
func TestLocalStackGatewayInvokesTheDoorAsAPIGatewayDoes(t *testing.T) {
	echo := http.NewServeMux()
	echo.HandleFunc("POST /fares", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seen-Content-Type", r.Header.Get("Content-Type"))
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write(body)
	})
	echo.HandleFunc("GET /fares/{fareId}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, `{"fareId":%q,"query":%q}`, r.PathValue("fareId"), r.URL.RawQuery)
	})
	door := apigateway.Handler(echo)
	var invoked []string
	var failNext bool
	lambdaAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		invoked = append(invoked, r.URL.Path)
		if failNext {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = w.Write([]byte(`{"errorType":"Runtime.ExitError","errorMessage":"the function crashed"}`))
			return
		}
		var event events.APIGatewayV2HTTPRequest
		require.NoError(t, json.NewDecoder(r.Body).Decode(&event))
		response, err := door(r.Context(), event)
		require.NoError(t, err)
		require.NoError(t, json.NewEncoder(w).Encode(response))
	}))
	defer lambdaAPI.Close()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(lambdaAPI.URL),
		Credentials: credentials.NewStaticCredentialsProvider(localStackKey, localStackKey, "")})
	gateway, err := startLocalStackGateway(client, "FareCollection-dev-intake")
	require.NoError(t, err)
	defer gateway.close()

	response, err := http.Post(gateway.url+"/fares", "application/json", strings.NewReader(`{"fareId":"fare-1"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(response.Body)
	response.Body.Close()
	assert.Equal(t, http.StatusAccepted, response.StatusCode)
	assert.JSONEq(t, `{"fareId":"fare-1"}`, string(body))
	assert.Equal(t, "application/json", response.Header.Get("X-Seen-Content-Type"), "the request's headers reach the function")
	assert.Equal(t, []string{"/2015-03-31/functions/FareCollection-dev-intake/invocations"}, invoked)

	response, err = http.Get(gateway.url + "/fares/fare-2?verbose=1")
	require.NoError(t, err)
	body, _ = io.ReadAll(response.Body)
	response.Body.Close()
	assert.Equal(t, http.StatusOK, response.StatusCode)
	assert.JSONEq(t, `{"fareId":"fare-2","query":"verbose=1"}`, string(body), "path and query reach the function")

	failNext = true
	response, err = http.Get(gateway.url + "/fares/fare-3")
	require.NoError(t, err)
	body, _ = io.ReadAll(response.Body)
	response.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, response.StatusCode, "a function that failed is API Gateway's bare 500")
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, string(body))
}

// A LocalStack whose CloudFormation resolved FareApiUrl (one with API Gateway v2) is used
// as it is; LocalStack 4.14.0's placeholder gets the stand-in.
func TestLocalStackDoorIsTheAPIWhereThereIsOne(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(localStackKey, localStackKey, "")}
	real, err := localStackDoor(cfg, "https://abc123.execute-api.localhost.localstack.cloud:4566")
	require.NoError(t, err)
	defer real.close()
	assert.Equal(t, "https://abc123.execute-api.localhost.localstack.cloud:4566", real.url)

	standIn, err := localStackDoor(cfg, "unknown")
	require.NoError(t, err)
	defer standIn.close()
	u, err := url.Parse(standIn.url)
	require.NoError(t, err)
	assert.True(t, fareclient.IsLoopback(u), "the stand-in serves on loopback: %s", standIn.url)
}
