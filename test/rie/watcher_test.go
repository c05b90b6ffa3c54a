package rie

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/faresaga/faresaga/internal/attention"
	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/fare"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// watcherFunction is the attention watcher's function, the target of the stack's
// EventBridge rule.
const watcherFunction = "attention"

// checkTheWatcher boots the watcher's bootstrap and sends it EventBridge events as the
// stack's rule does: a failed execution whose fare is cancelled is a real answer with
// nothing to do; an event that is no status change is a real error. (What it does with a
// stopped one, which reads the execution's history, is tested on the embedded stack.)
func checkTheWatcher(t *testing.T, rie, bootstrap, dynamoDB string) {
	e := startEmulator(t, rie, bootstrap, []string{
		tables.Fares.EnvVar + "=" + tables.Fares.Name,
		lambdaenv.FareOutcomeTopicVar + "=arn:aws:sns:us-east-1:000000000000:FareOutcomes-rie",
		"AWS_ENDPOINT_URL_DYNAMODB=" + dynamoDB,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=faresaga-rie-test",
		"AWS_SECRET_ACCESS_KEY=faresaga-rie-test",
		"AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + t.TempDir(),
		"AWS_LAMBDA_FUNCTION_NAME=" + watcherFunction,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(statemachine.LambdaTimeoutSeconds),
	})
	event := func(detailType, detail string) string {
		out, err := json.Marshal(map[string]any{"version": "0", "id": "rie-1", "source": "aws.states", "detail-type": detailType,
			"account": "000000000000", "region": "us-east-1", "time": "2026-11-27T09:30:00Z", "detail": json.RawMessage(detail)})
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	t.Run("a failed execution whose fare it cancelled leaves nothing to mark", func(t *testing.T) {
		// What a declined fare leaves: CANCELLED, owned by the execution. The watcher reads
		// it through the real DynamoDB wire protocol and does nothing.
		arn := "arn:aws:states:us-east-1:000000000000:execution:FareCollection-rie:fare-declined"
		item, err := attributevalue.MarshalMap(fare.Record{FareID: "fare-declined", CustomerID: "cust-1", Status: fare.Cancelled,
			OwnerExecution: arn + "@2026-11-27T09:30:00.000Z"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dynamotest.NewClient(dynamoDB).PutItem(context.Background(),
			&dynamodb.PutItemInput{TableName: aws.String(tables.Fares.Name), Item: item}); err != nil {
			t.Fatal(err)
		}
		out := e.invoke(t, event(attention.StatusChangeDetailType,
			`{"executionArn":"`+arn+`","name":"fare-declined","status":"FAILED","error":"PaymentDeclined","startDate":1764235800000,"redriveCount":0}`))
		if string(out) != "null" {
			t.Errorf("want a plain success, got %s", out)
		}
	})
	t.Run("an event that is no status change is an error", func(t *testing.T) {
		out := e.invoke(t, event("Some Other Event", `{}`))
		if !strings.Contains(string(out), `"errorMessage"`) || !strings.Contains(string(out), attention.StatusChangeDetailType) {
			t.Errorf("want an error naming the event it takes, got %s", out)
		}
	})
	checkListensOnLoopbackOnly(t, e)
}
