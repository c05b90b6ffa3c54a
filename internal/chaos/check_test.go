package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/embedded"
	contract "github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// The checks must catch a broken promise, or a clean chaos run proves nothing. Each case
// runs a few clean sagas, breaks one promise behind the saga's back, and expects the
// checks to say so.
func TestChecksCatchBrokenPromises(t *testing.T) {
	put := func(s *embedded.Stack, table string, item map[string]types.AttributeValue) {
		_, err := s.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
		require.NoError(t, err)
	}
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	num := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	tests := []struct {
		name    string
		corrupt func(s *embedded.Stack, sagas []saga, results map[string]engine.Result)
		want    string
	}{
		{"a fare lost", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			_, err := s.DynamoDB.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String("Fares"),
				Key: map[string]types.AttributeValue{"fareId": str(sagas[0].fareID)}})
			require.NoError(t, err)
		}, "the fare is lost"},
		{"a credit nobody made", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			put(s, "CustomerAccounts", map[string]types.AttributeValue{"customerId": str(sagas[1].customerID),
				"entryId": str("FARE#ghost#CREDIT"), "kind": str("CREDIT"), "fareId": str("ghost"), "amount": num("500"), "currency": str("EUR")})
		}, "balance"},
		{"a completed fare never credited", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			put(s, "CustomerAccounts", map[string]types.AttributeValue{"customerId": str(sagas[0].customerID),
				"entryId": str("FARE#" + sagas[0].fareID + "#REVERSAL"), "kind": str("REVERSAL"), "fareId": str(sagas[0].fareID),
				"amount": num("0"), "currency": str("EUR")})
		}, "COMPLETED but credited"},
		{"an execution left running", func(_ *embedded.Stack, sagas []saga, results map[string]engine.Result) {
			results[sagas[2].fareID] = engine.Result{Status: engine.Running}
		}, "never ended"},
		{"a fare in the wrong state", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			_, err := s.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String("Fares"),
				Key: map[string]types.AttributeValue{"fareId": str(sagas[0].fareID)}, UpdateExpression: aws.String("SET #s = :s"),
				ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":s": str("REGISTERED")}})
			require.NoError(t, err)
		}, "ended REGISTERED"},
		{"a record written by another execution", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			_, err := s.DynamoDB.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String("Payments"),
				Key: map[string]types.AttributeValue{"fareId": str(sagas[1].fareID)}, UpdateExpression: aws.String("SET ownerExecution = :o"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":o": str("arn:aws:states:us-east-1:000000000000:execution:x:fare-b@2027-01-01T00:00:00.000Z")}})
			require.NoError(t, err)
		}, "Payments record is owned by"},
		{"a message about someone else's fare", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			_, err := s.Topic.Invoke(context.Background(), task.Request{Arguments: map[string]any{
				"TopicArn": embedded.TopicARN, "Message": `{"fareId":"` + sagas[2].fareID + `","status":"CANCELLED"}`,
				"MessageAttributes": map[string]any{"IsSuccessful": map[string]any{"DataType": "String", "StringValue": "false"}}}})
			require.NoError(t, err)
		}, "a message announced it CANCELLED"},
		{"a card number kept in a table", func(s *embedded.Stack, sagas []saga, _ map[string]engine.Result) {
			put(s, "Payments", map[string]types.AttributeValue{"fareId": str("ghost"), "note": str(sagas[3].cardData.digits)})
		}, "its digits are in a table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack, err := embedded.Start(embedded.Options{Clock: clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Seed: 1, FaultInjection: true})
			require.NoError(t, err)
			defer stack.Close()
			sagas := []saga{
				{fareID: "fare-a", customerID: "c1", amount: 1000},
				{fareID: "fare-b", customerID: "c2", amount: 2000},
				{fareID: "fare-c", customerID: "c3", amount: 3000},
				{fareID: "fare-d", cardData: &cardInput{form: "inside the customerId", digits: "5555555555554444",
					input: fareInput("fare-d", "rider.5555555555554444", "tok_1", "")}},
			}
			run, err := runSagas(context.Background(), stack, sagas, 3, nil, nil)
			require.NoError(t, err)
			clean, err := check(context.Background(), stack, sagas, run)
			require.NoError(t, err)
			require.Empty(t, clean.violations, "the sagas themselves are clean")

			tt.corrupt(stack, sagas, run.results)
			v, err := check(context.Background(), stack, sagas, run)
			require.NoError(t, err)
			require.NotEmpty(t, v.violations)
			assert.Contains(t, v.violations[0]+" "+joined(v.violations), tt.want)
		})
	}
}

func joined(s []string) string {
	out := ""
	for _, v := range s {
		out += v + "\n"
	}
	return out
}

func TestPlanIsReproducibleAndOnlyPlansFaultsThatAct(t *testing.T) {
	assert.Equal(t, planSaga(7, 42), planSaga(7, 42))
	assert.NotEqual(t, planSaga(7, 42).customerID+planSaga(7, 43).customerID, planSaga(8, 42).customerID+planSaga(8, 43).customerID)
	for n := range 2000 {
		s := planSaga(7, n)
		assert.Contains(t, s.input(), s.fareID)
		assert.LessOrEqual(t, len(s.planned), 5)
	}
	run := stepsRun("charge", "")
	assert.True(t, run["refund"] && run["void"] && run["cancel"])
	assert.False(t, run["credit"] || run["reverse"], "nothing after the failed step runs, nor its later compensations")
	run = stepsRun("credit", "refund")
	assert.True(t, run["reverse"] && run["refund"])
	assert.False(t, run["void"] || run["cancel"], "a compensation that fails for good stops the chain")
	assert.Len(t, stepsRun("", ""), 5, "a clean saga runs the five forward steps")
}

func TestDeliveryDrawsIndependentlyPerRetry(t *testing.T) {
	d := &delivery{seed: 42}
	// Consecutive invocations of one state must not draw the same fault over and over:
	// among many executions, a run of four timeouts in a row should be as rare as chance.
	streaks := 0
	for e := range 2000 {
		run := 0
		for inv := range 9 {
			if d.chance(task.Caller{ExecutionName: fmt.Sprintf("fare-%d", e), StateName: "VoidPreAuthorization", Invocation: inv}) < 0.03 {
				run++
			} else {
				run = 0
			}
			if run == 4 {
				streaks++
			}
		}
	}
	assert.Zero(t, streaks, "four 3%% faults in a row in 2000 executions")
}

// Every form chaos hides a card number in is one the door refuses, whatever the number's
// length; the numbers it makes are card numbers (they pass Luhn).
func TestEveryCardFormIsRefusedByTheDoor(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for length := 13; length <= 19; length++ {
		n := cardNumber(rng, length)
		require.Len(t, n, length)
		assert.True(t, contract.ContainsCardNumber(n), "%s passes Luhn", n)
		for _, form := range cardForms {
			assert.Error(t, contract.RefuseCardData([]byte(form.make("fare-1", n))), "%s, %d digits", form.name, length)
		}
	}
}
