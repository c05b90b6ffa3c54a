package chaos

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
)

// pThrottle is the chance that DynamoDB refuses a request for throughput.
const pThrottle = 0.01

// throttling stands in front of the DynamoDB endpoint and refuses some requests the way
// DynamoDB does when a table is over its throughput.
type throttling struct {
	next    http.Handler
	counts  *Counts
	enabled atomic.Bool
	mu      sync.Mutex
	rng     *rand.Rand
}

func newThrottling(next http.Handler, seed uint64, counts *Counts) *throttling {
	// Off until the sagas start: creating the tables is not what is under test.
	return &throttling{next: next, counts: counts, rng: rand.New(rand.NewPCG(seed, 0x7487))}
}

func (t *throttling) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t.enabled.Load() && t.draw() < pThrottle {
		t.counts.add(DynamoDBThrottling)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",` +
			`"message":"The level of configured provisioned throughput for the table was exceeded."}`))
		return
	}
	t.next.ServeHTTP(w, r)
}

func (t *throttling) draw() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rng.Float64()
}
