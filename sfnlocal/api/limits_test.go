package api

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runaway loops for ever: a Pass that counts, a Choice that never leaves.
const runaway = `{"StartAt":"Count","States":{
	"Count":{"Type":"Pass","Parameters":{"n.$":"States.MathAdd($.n, 1)","pad.$":"$.pad"},"Next":"Again"},
	"Again":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":0,"Next":"Never"}],"Default":"Count"},
	"Never":{"Type":"Succeed"}}}`

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// heapSys is the memory the heap has taken from the system: its peak, since the
// runtime returns memory slowly.
func heapSys() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys
}

func TestARunawayFailsAtTheHistoryLimitInBoundedMemory(t *testing.T) {
	f := newFixture(t)
	f.client = f.retryingClient()
	ctx := context.Background()
	machine := f.createMachine(t, "runaway", runaway, "")
	input := `{"n":0,"pad":"` + strings.Repeat("x", 100_000) + `"}`
	arn := f.start(t, machine, "loop", input)
	out := f.waitDone(t, arn)
	require.Equal(t, types.ExecutionStatusFailed, out.Status)
	assert.Equal(t, "States.Runtime", aws.ToString(out.Error))
	heap := heapInUse()
	t.Logf("heap in use after the runaway: %.1f MB; peak heap reserved: %.1f MB", float64(heap)/(1<<20), float64(heapSys())/(1<<20))
	assert.Less(t, heap, uint64(500<<20), "25,000 events, each with a 100 KB payload, under 500 MB")

	pages, events := 0, 0
	var lastType types.HistoryEventType
	paginator := sfn.NewGetExecutionHistoryPaginator(f.client, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(arn), MaxResults: 1000, IncludeExecutionData: aws.Bool(false)})
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		require.NoError(t, err)
		pages++
		events += len(page.Events)
		lastType = page.Events[len(page.Events)-1].Type
	}
	assert.Equal(t, 25_000, events)
	assert.Equal(t, 25, pages)
	assert.Equal(t, types.HistoryEventTypeExecutionFailed, lastType)
	assert.Less(t, heapInUse(), uint64(500<<20), "reading the history page by page keeps no page")

	_, err := f.client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	assertAPIError(t, err, "ExecutionNotRedrivable", "Execution history event limit exceeded")
}

func TestAStoppedRunawayEndsAndIsEvictedByBytes(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxFinishedBytes = 3 << 20 })
	f.client = f.retryingClient()
	machine := f.createMachine(t, "slow-runaway", `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"`+slowARN+`","ResultPath":null,"Next":"W2"},
		"W2":{"Type":"Choice","Choices":[{"Variable":"$.never","IsPresent":true,"Next":"End"}],"Default":"W"},"End":{"Type":"Succeed"}}}`, "")
	arn := f.start(t, machine, "stop-me", `{"pad":"`+strings.Repeat("y", 200_000)+`"}`)
	x, ok := f.server.store.execution(arn)
	require.True(t, ok)
	require.Eventually(t, func() bool { return x.History.Len() > 200 }, 10*time.Second, time.Millisecond)
	_, err := f.client.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	// Read from the execution itself: a runaway that reached thousands of events before
	// the stop may hold more than the bound alone and go the moment it ends.
	select {
	case <-x.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the stopped runaway is still running")
	}
	assert.Equal(t, engine.Aborted, x.Status())

	// Executions after it, of 200 KB each, push the kept ones over the 3 MB bound.
	pass := f.createMachine(t, "pass", passMachine, "")
	for i := range 8 {
		f.waitDone(t, f.start(t, pass, "p"+string(rune('a'+i)), `{"pad":"`+strings.Repeat("z", 200_000)+`"}`))
	}
	require.Eventually(t, func() bool { _, ok := f.server.store.execution(arn); return !ok }, 5*time.Second, time.Millisecond,
		"the oldest finished execution goes first once the kept ones hold more than MaxFinishedBytes")
	f.server.store.mu.RLock()
	defer f.server.store.mu.RUnlock()
	assert.LessOrEqual(t, f.server.store.finishedBytes, int64(3<<20))
}
