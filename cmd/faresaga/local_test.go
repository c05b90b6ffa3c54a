package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/localapi"
)

// startLocal serves `faresaga local` on free loopback ports, on virtual time.
func startLocal(t *testing.T, maxFinished int) (*localapi.Server, *sfn.Client, *dynamodb.Client) {
	t.Helper()
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0",
		MaxFinished: maxFinished, VirtualTime: true, Seed: 3})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv, localapi.NewSFNClient(srv.Endpoint), dynamotest.NewClient(srv.Stack.DynamoDBURL)
}

func waitForEnd(t *testing.T, client *sfn.Client, arn *string) *sfn.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: arn})
		require.NoError(t, err)
		if out.Status != sfntypes.ExecutionStatusRunning {
			return out
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("execution %s did not finish", aws.ToString(arn))
	return nil
}

func TestLocalServesTheSagaThroughTheSDK(t *testing.T) {
	srv, client, db := startLocal(t, 100)
	ctx := context.Background()
	input := embedded.FareInput("fare-sdk-1", "cust-sdk")
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(srv.StateMachineARN), Name: aws.String("fare-sdk-1"), Input: aws.String(input)})
	require.NoError(t, err)
	done := waitForEnd(t, client, started.ExecutionArn)
	assert.Equal(t, sfntypes.ExecutionStatusSucceeded, done.Status)

	// The same name and input is the same execution; another input is refused.
	again, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(srv.StateMachineARN), Name: aws.String("fare-sdk-1"), Input: aws.String(embedded.FareInput("fare-sdk-1", "someone-else"))})
	var exists *sfntypes.ExecutionAlreadyExists
	assert.True(t, errors.As(err, &exists), "a second, different start of the same fare is refused: %v %v", again, err)

	history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, sfntypes.HistoryEventTypeExecutionStarted, history.Events[0].Type)

	// The tables are readable with the ordinary DynamoDB client.
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Fares"),
		Key: map[string]types.AttributeValue{"fareId": &types.AttributeValueMemberS{Value: "fare-sdk-1"}}})
	require.NoError(t, err)
	var fare struct{ Status string }
	require.NoError(t, attributevalue.UnmarshalMap(item.Item, &fare))
	assert.Equal(t, "COMPLETED", fare.Status)
}

func TestLocalRefusesBadRequests(t *testing.T) {
	srv, client, _ := startLocal(t, 100)
	ctx := context.Background()
	_, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(srv.StateMachineARN), Input: aws.String("{not json")})
	var invalidInput *sfntypes.InvalidExecutionInput
	assert.True(t, errors.As(err, &invalidInput), "%v", err)
	_, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(srv.StateMachineARN + "-nope")})
	assert.Error(t, err)
	_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("broken"),
		Definition: aws.String(`{"StartAt":"Nowhere","States":{}}`), RoleArn: aws.String(embedded.RoleARN)})
	var invalidDefinition *sfntypes.InvalidDefinition
	assert.True(t, errors.As(err, &invalidDefinition), "%v", err)
}

// A thousand fares started at once on the saga all end, as the switches in their
// customerId say, with none lost or stuck; finished executions beyond the bound are
// forgotten, so memory does not grow with them.
func TestThousandConcurrentSagas(t *testing.T) {
	const fares, kept = 1000, 200
	srv, client, _ := startLocal(t, kept)
	ctx := context.Background()
	customers := []string{"cust-a", "cust-b_fail_charge", "cust-c_transient_auth", "cust-d_fail_credit"}
	arns := make([]*string, fares)
	var wg sync.WaitGroup
	errs := make(chan error, fares)
	begin := time.Now()
	for i := range fares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("fare-%04d", i)
			out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(srv.StateMachineARN),
				Name: aws.String(name), Input: aws.String(embedded.FareInput(name, customers[i%len(customers)]))})
			if err != nil {
				errs <- err
				return
			}
			arns[i] = out.ExecutionArn
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// Every execution reaches an end: the running ones are never forgotten, and each
	// finished one is either still described with its outcome or was evicted after ending.
	finished := 0
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		running, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(srv.StateMachineARN),
			StatusFilter: sfntypes.ExecutionStatusRunning})
		require.NoError(t, err)
		if len(running.Executions) == 0 {
			break
		}
	}
	elapsed := time.Since(begin)
	for i, arn := range arns {
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: arn})
		var gone *sfntypes.ExecutionDoesNotExist
		if errors.As(err, &gone) {
			finished++ // evicted: only finished executions are
			continue
		}
		require.NoError(t, err)
		require.NotEqual(t, sfntypes.ExecutionStatusRunning, out.Status, "fare %d is stuck", i)
		want := sfntypes.ExecutionStatusSucceeded
		if i%len(customers) == 1 || i%len(customers) == 3 {
			want = sfntypes.ExecutionStatusFailed
		}
		assert.Equal(t, want, out.Status, "fare %d", i)
		finished++
	}
	assert.Equal(t, fares, finished)
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	t.Logf("%d concurrent sagas finished in %s; heap in use afterwards %.1f MiB", fares, elapsed, float64(mem.HeapInuse)/(1<<20))
}

// In a long run memory stays flat: finished executions beyond the bound are forgotten.
// A small machine keeps the tables out of it (every fare would stay in them).
func TestMemoryStaysFlatInALongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("a long run: 20,000 executions")
	}
	const rounds, perRound, kept = 4, 5000, 100
	_, client, _ := startLocal(t, kept)
	ctx := context.Background()
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("soak"), RoleArn: aws.String(embedded.RoleARN),
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Wait","Seconds":5,"End":true}}}`)})
	require.NoError(t, err)
	var heap []float64
	for round := range rounds {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range perRound {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				_, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn,
					Name: aws.String(fmt.Sprintf("soak-%d-%d", round, i)), Input: aws.String(`{"payload":"` + fmt.Sprint(i) + `"}`)})
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			running, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusRunning})
			require.NoError(t, err)
			if len(running.Executions) == 0 {
				break
			}
		}
		var mem runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&mem)
		heap = append(heap, float64(mem.HeapInuse)/(1<<20))
		listed, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, MaxResults: 1000})
		require.NoError(t, err)
		assert.LessOrEqual(t, len(listed.Executions), kept, "no more than the bound is kept")
	}
	t.Logf("heap in use after each %d executions (MiB): %.1f", perRound, heap)
	assert.Less(t, heap[rounds-1], heap[0]*1.2, "memory must not grow with the executions run")
}
