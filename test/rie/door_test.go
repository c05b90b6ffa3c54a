package rie

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// checkTheDoor boots the front door's bootstrap against `faresaga local`'s Step
// Functions API and DynamoDB endpoint, started in-process: a fare it accepts is a real
// execution of THE definition that runs to its end; a fare it refuses starts nothing.
func checkTheDoor(t *testing.T, rie, bootstrap string) {
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", VirtualTime: true, Seed: 1})
	if err != nil {
		t.Fatalf("start faresaga local: %v", err)
	}
	t.Cleanup(srv.Close)
	e := startEmulator(t, rie, bootstrap, doorEnvironment(srv, t.TempDir()))
	client := localapi.NewSFNClient(srv.Endpoint)

	t.Run("starts a valid fare", func(t *testing.T) {
		out := invokeDoor(t, e, `{"fareId":"fare-door-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`)
		if out.StatusCode != 202 {
			t.Fatalf("want 202, got %d: %s", out.StatusCode, out.Body)
		}
		var body struct{ FareID, ExecutionArn, Status string }
		if err := json.Unmarshal([]byte(out.Body), &body); err != nil {
			t.Fatalf("the body is not JSON: %s", out.Body)
		}
		if body.FareID != "fare-door-1" || body.Status != "RUNNING" || !strings.HasSuffix(body.ExecutionArn, ":execution:"+statemachineName(srv)+":fare-door-1") {
			t.Errorf("unexpected answer %s", out.Body)
		}
		if status := waitForEnd(t, client, body.ExecutionArn); status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("the execution ended %s", status)
		}
	})
	t.Run("refuses card data and starts nothing", func(t *testing.T) {
		out := invokeDoor(t, e, `{"fareId":"fare-door-2","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1","cc":"4111111111111111"}`)
		if out.StatusCode != 400 || !strings.Contains(out.Body, `"error":"InvalidFareInput"`) || strings.Contains(out.Body, "4111111111111111") {
			t.Errorf("want a 400 InvalidFareInput that does not echo the card, got %d: %s", out.StatusCode, out.Body)
		}
		listed, err := client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(srv.StateMachineARN)})
		if err != nil {
			t.Fatal(err)
		}
		if len(listed.Executions) != 1 {
			t.Errorf("want only the first fare's execution, got %d", len(listed.Executions))
		}
	})
	if out := e.output.String(); strings.Contains(out, "4111111111111111") {
		t.Errorf("the function logged the card number:\n%s", out)
	}
	checkListensOnLoopbackOnly(t, e)
}

// doorEnvironment is the environment the stack gives the door, with Step Functions and
// DynamoDB on the local server.
func doorEnvironment(srv *localapi.Server, home string) []string {
	return []string{
		lambdaenv.StateMachineARNVar + "=" + srv.StateMachineARN,
		tables.Fares.EnvVar + "=" + tables.Fares.Name,
		"AWS_ENDPOINT_URL_SFN=" + srv.Endpoint,
		"AWS_ENDPOINT_URL_DYNAMODB=" + srv.Stack.DynamoDBURL,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=faresaga-rie-test",
		"AWS_SECRET_ACCESS_KEY=faresaga-rie-test",
		"AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + home,
		"AWS_LAMBDA_FUNCTION_NAME=" + doorFunction,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(statemachine.LambdaTimeoutSeconds),
	}
}

// invokeDoor sends POST /fares as API Gateway's HTTP API does (payload format 2.0).
func invokeDoor(t *testing.T, e *emulator, body string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	event, err := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "POST /fares", RawPath: "/fares",
		Headers: map[string]string{"content-type": "application/json"}, Body: body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RequestID: "rie-1",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/fares", Protocol: "HTTP/1.1", SourceIP: "127.0.0.1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw := e.invoke(t, string(event))
	var out events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.StatusCode == 0 {
		t.Fatalf("the function's answer is not an HTTP API response: %s", raw)
	}
	return out
}

func statemachineName(srv *localapi.Server) string {
	return srv.StateMachineARN[strings.LastIndex(srv.StateMachineARN, ":")+1:]
}

func waitForEnd(t *testing.T, client *sfn.Client, arn string) sfntypes.ExecutionStatus {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out.Status
		}
	}
	t.Fatalf("%s did not end", arn)
	return ""
}
