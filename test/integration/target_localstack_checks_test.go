package integration

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// On LocalStack, simultaneous starts of one execution name go one at a time; starts of
// different names still go together.
func TestLocalStackStartsOfOneNameAreSerialised(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := map[string]int{}, map[string]int{}
	total, mostTotal := 0, 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Name string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		inFlight[in.Name]++
		total++
		most[in.Name] = max(most[in.Name], inFlight[in.Name])
		mostTotal = max(mostTotal, total)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		inFlight[in.Name]--
		total--
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:m:` + in.Name + `","startDate":1}`))
	}))
	defer server.Close()
	client := sfn.New(sfn.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(server.URL),
		Credentials: credentials.NewStaticCredentialsProvider(localStackKey, localStackKey, ""),
	}, serialStartsPerName())

	var wg sync.WaitGroup
	for _, name := range []string{"fare-a", "fare-b"} {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := client.StartExecution(context.Background(), &sfn.StartExecutionInput{
					StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:m"), Name: aws.String(name), Input: aws.String("{}"),
				})
				assert.NoError(t, err)
			}()
		}
	}
	wg.Wait()
	assert.Equal(t, map[string]int{"fare-a": 1, "fare-b": 1}, most, "one start of a name at a time")
	assert.Equal(t, 2, mostTotal, "two names at once")
}
