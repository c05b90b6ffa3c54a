package api

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThousandConcurrentStarts starts 1,000 executions at once through the SDK and
// checks every one is started once, finishes, and is listed.
func TestThousandConcurrentStarts(t *testing.T) {
	const n = 1000
	f := newFixture(t, withMaxFinished(n))
	ctx := context.Background()
	machine := f.createMachine(t, "busy", workerMachine, "")

	began := time.Now()
	arns := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(machine), Name: aws.String(fmt.Sprintf("x-%04d", i)), Input: aws.String(fmt.Sprintf(`{"i":%d}`, i))})
			errs[i] = err
			if err == nil {
				arns[i] = aws.ToString(out.ExecutionArn)
			}
		})
	}
	wg.Wait()
	started := time.Since(began)
	for i := range n {
		require.NoError(t, errs[i], "start %d", i)
	}
	for i, arn := range arns {
		out := f.waitDone(t, arn)
		require.Equal(t, types.ExecutionStatusSucceeded, out.Status, "execution %d", i)
		assert.JSONEq(t, fmt.Sprintf(`{"worked":true,"in":{"i":%d}}`, i), aws.ToString(out.Output))
	}
	t.Logf("%d concurrent StartExecution calls: all started in %v, all finished and checked in %v", n, started, time.Since(began))

	seen := map[string]bool{}
	var token *string
	for {
		out, err := f.client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine), MaxResults: 1000, NextToken: token})
		require.NoError(t, err)
		for _, x := range out.Executions {
			seen[aws.ToString(x.ExecutionArn)] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	assert.Len(t, seen, n, "none lost")
}

// BenchmarkThousandConcurrentExecutions starts 1,000 executions at once through the
// SDK, over HTTP, and waits for all of them to finish; it reports the time per
// execution (start call, run, history) and per batch of 1,000.
func BenchmarkThousandConcurrentExecutions(b *testing.B) {
	const n = 1000
	f := newFixture(b, withMaxFinished(n))
	ctx := context.Background()
	machine := f.createMachine(b, "busy", workerMachine, "")
	batch := 0
	b.ResetTimer()
	for b.Loop() {
		batch++
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{
					StateMachineArn: aws.String(machine), Name: aws.String(fmt.Sprintf("b%d-%04d", batch, i)), Input: aws.String(fmt.Sprintf(`{"i":%d}`, i))})
				if err != nil {
					errs[i] = err
					return
				}
				x, ok := f.server.store.execution(aws.ToString(out.ExecutionArn))
				if !ok {
					errs[i] = fmt.Errorf("execution %s not stored", aws.ToString(out.ExecutionArn))
					return
				}
				<-x.Done()
				if status := x.Result().Status; status != "SUCCEEDED" {
					errs[i] = fmt.Errorf("execution %d ended %s", i, status)
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/execution")
}
