package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/localapi"
)

// thousandFinished is a `faresaga local` holding 1,000 finished fares, as many as it
// keeps by default: three in four completed, one in four declined at the capture and
// compensated (their errors are on the list's first page too).
func thousandFinished(b *testing.B) *localapi.Server {
	b.Helper()
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0",
		VirtualTime: true, Seed: 1000})
	require.NoError(b, err)
	b.Cleanup(srv.Close)
	client := localapi.NewSFNClient(srv.Endpoint)
	names := make(chan int)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed error
	)
	for w := 0; w < 8; w++ {
		wg.Go(func() {
			for i := range names {
				fareID, customer := fmt.Sprintf("fare-bench-%04d", i), "cust-42"
				if i%4 == 3 {
					customer += "_fail_charge"
				}
				_, err := client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(srv.StateMachineARN),
					Name: aws.String(fareID), Input: aws.String(embedded.FareInput(fareID, customer))})
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		})
	}
	for i := 0; i < 1000; i++ {
		names <- i
	}
	close(names)
	wg.Wait()
	require.NoError(b, failed)
	for {
		running, err := client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(srv.StateMachineARN),
			StatusFilter: sfntypes.ExecutionStatusRunning})
		require.NoError(b, err)
		if len(running.Executions) == 0 {
			break
		}
	}
	return srv
}

func fetch(b *testing.B, client *http.Client, u string) string {
	resp, err := client.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return string(body)
}

// The list of a server holding 1,000 finished executions: every machine listed, every
// execution read, sorted, the newest 50 rendered with the errors of the failed ones.
// The README promises under 200 ms per page.
func BenchmarkListOfAThousandFinishedExecutions(b *testing.B) {
	srv := thousandFinished(b)
	client := &http.Client{}
	page := fetch(b, client, srv.ConsoleURL)
	require.Contains(b, page, "Executions 1–50 of 1000", "the server holds 1,000 executions")
	require.Contains(b, page, "CaptureDeclined", "the page shows errors")
	b.ResetTimer()
	for b.Loop() {
		fetch(b, client, srv.ConsoleURL)
	}
}

// The page of one compensated fare: describe, definition, history, the fare's rows.
func BenchmarkExecutionPageOfACompensatedFare(b *testing.B) {
	srv := thousandFinished(b)
	client := &http.Client{}
	u := srv.ConsoleURL + "execution?" + url.Values{"arn": {fareExecutionARN("fare-bench-0003")}}.Encode()
	require.True(b, strings.Contains(fetch(b, client, u), "⚠ caught"))
	b.ResetTimer()
	for b.Loop() {
		fetch(b, client, u)
	}
}
