package chaos

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// Per invocation, the chance of each delivery fault.
const (
	pDuplicate     = 0.03
	pTimeoutBefore = 0.01
	pTimeoutAfter  = 0.01
	pLate          = 0.01
)

// lambdaTimeout is what Step Functions reports when a function runs out of time.
func lambdaTimeout() error {
	return &failure.Error{Name: "Sandbox.Timedout",
		Cause: `{"errorMessage":"Task timed out after 10.00 seconds","errorType":"Sandbox.Timedout"}`}
}

// delivery stands between the engine and the Lambda handlers and delivers some
// invocations twice, late or not at all, as Lambda and Step Functions may.
type delivery struct {
	inner  task.Integration
	seed   uint64
	counts *Counts
	late   sync.WaitGroup // handlers still to run after their timeout was reported
}

// chance is a number in [0, 1) fixed by the seed and the invocation, so the same run
// makes the same decisions whatever order its sagas run in.
func (d *delivery) chance(c task.Caller) float64 {
	h := fnv.New64a()
	var seed [8]byte
	for i := range seed {
		seed[i] = byte(d.seed >> (8 * i))
	}
	h.Write(seed[:])
	h.Write([]byte(c.ExecutionName + "\x00" + c.StateName))
	h.Write([]byte{byte(c.Invocation), byte(c.Invocation >> 8)})
	return float64(mix(h.Sum64())>>11) / (1 << 53)
}

// mix is splitmix64's finaliser. FNV alone barely moves its high bits when only the
// last bytes change, so consecutive retries of one state would all draw the same fault.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (d *delivery) Invoke(ctx context.Context, req task.Request) (any, error) {
	switch x := d.chance(req.Caller); {
	case x < pTimeoutBefore:
		d.counts.add(TimeoutBeforeRunning)
		return nil, lambdaTimeout()
	case x < pTimeoutBefore+pTimeoutAfter:
		d.counts.add(TimeoutAfterRunning)
		_, _ = d.inner.Invoke(ctx, req) // the effect happens; its answer is lost
		return nil, lambdaTimeout()
	case x < pTimeoutBefore+pTimeoutAfter+pLate:
		d.counts.add(LateDelivery)
		d.late.Add(1)
		go func() {
			defer d.late.Done()
			// Late enough that the saga has usually moved on to compensating.
			time.Sleep(2 * time.Millisecond)
			_, _ = d.inner.Invoke(context.Background(), req)
		}()
		return nil, lambdaTimeout()
	case x < pTimeoutBefore+pTimeoutAfter+pLate+pDuplicate:
		d.counts.add(DuplicateDelivery)
		if _, err := d.inner.Invoke(ctx, req); err != nil {
			return nil, err
		}
	}
	return d.inner.Invoke(ctx, req)
}

// drain waits for the late handlers, so the tables are final before they are checked.
func (d *delivery) drain() { d.late.Wait() }
