package intake_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/intake"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/tables"
)

// BenchmarkSubmitFare measures POST /fares of new fares on loopback, on virtual time:
// the request, the door's DescribeExecution and GetItem (both misses), its
// StartExecution, and the answer. Run it with -benchtime=1000x for the figures of 1,000
// requests (make bench does); p50 and p99 are of single requests, in microseconds.
//
//	saga          `faresaga local`'s own door, with the sagas it starts running in the
//	              same process on the same cores (up to tableSize at a time): ns/op and
//	              the allocations include their work
//	pass-machine  the same door code in front of a state machine of one Pass state,
//	              so that nearly all that is measured is the door and the two APIs
func BenchmarkSubmitFare(b *testing.B) {
	srv, err := localapi.Start(context.Background(), localapi.Config{Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0",
		VirtualTime: true, Seed: 11})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	b.Run("saga", func(b *testing.B) { benchmarkSubmit(b, srv, srv.DoorURL, srv.StateMachineARN) })

	pass, err := localapi.NewSFNClient(srv.Endpoint).CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String("pass"), RoleArn: aws.String(embedded.RoleARN),
		Definition: aws.String(`{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	door, err := intake.New(intake.Config{StepFunctions: localapi.NewSFNClient(srv.Endpoint), DynamoDB: srv.Stack.DynamoDB,
		StateMachineARN: aws.ToString(pass.StateMachineArn), FaresTable: tables.Fares.Name})
	if err != nil {
		b.Fatal(err)
	}
	passDoor := httptest.NewServer(door)
	defer passDoor.Close()
	b.Run("pass-machine", func(b *testing.B) { benchmarkSubmit(b, srv, passDoor.URL, aws.ToString(pass.StateMachineArn)) })
}

func benchmarkSubmit(b *testing.B, srv *localapi.Server, doorURL, machineARN string) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	// Fresh fareIds for every run of the benchmark. Base 36: a nanosecond timestamp in
	// decimal is 19 digits, which pass Luhn one time in ten and are card data then.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)

	var latencies []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%tableSize == tableSize-1 {
			// minidyn copies a whole table for each transaction, which a real DynamoDB
			// does not: once the sagas started so far have ended, empty the tables, so
			// that the figures are the door's and not the emulator's growth.
			b.StopTimer()
			waitUntilNoneRuns(b, srv, machineARN)
			if err := srv.Stack.ClearTables(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		body := fmt.Sprintf(`{"fareId":"fare-%s-%d","customerId":"cust-%d","amount":1250,"currency":"EUR","paymentToken":"tok_visa_4242"}`, run, i, i)
		begin := time.Now()
		resp, err := client.Post(doorURL+"/fares", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		latencies = append(latencies, time.Since(begin))
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("fare %d: %s", i, resp.Status)
		}
	}
	slices.Sort(latencies)
	percentile := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds())
	}
	b.ReportMetric(percentile(0.50), "p50-us")
	b.ReportMetric(percentile(0.99), "p99-us")
}

// tableSize is how many fares the tables hold at most during the benchmark.
const tableSize = 64

func waitUntilNoneRuns(b *testing.B, srv *localapi.Server, machineARN string) {
	client := localapi.NewSFNClient(srv.Endpoint)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		running, err := client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{
			StateMachineArn: aws.String(machineARN), StatusFilter: sfntypes.ExecutionStatusRunning})
		if err != nil {
			b.Fatal(err)
		}
		if len(running.Executions) == 0 {
			return
		}
	}
	b.Fatal("the sagas did not end")
}
