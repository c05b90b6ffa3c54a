package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// uncatchable errors end the execution whatever the state's Retry and Catch say: AWS's
// States.ALL does not match them, and neither does any explicit name.
var uncatchable = map[string]bool{failure.Runtime: true, failure.DataLimitExceeded: true}

// matches reports whether an error named name is one of errorEquals, with AWS's
// wildcards: States.ALL matches every catchable error, States.TaskFailed every catchable
// error but States.Timeout.
func matches(errorEquals []string, name string) bool {
	if uncatchable[name] {
		return false
	}
	if slices.Contains(errorEquals, name) || slices.Contains(errorEquals, failure.All) {
		return true
	}
	return name != failure.Timeout && slices.Contains(errorEquals, failure.TaskFailed)
}

// retryCounter remembers, for one run of a state, how often each of its retriers fired:
// MaxAttempts and the backoff count per retrier, not per state.
type retryCounter struct {
	retriers []asl.Retrier
	counts   []int64
}

func newRetryCounter(retriers []asl.Retrier) *retryCounter {
	return &retryCounter{retriers: retriers}
}

// next returns how long to wait before retrying after an error named name, and false
// when the state must not be retried: the first retrier that matches decides, and it
// is exhausted once it has fired MaxAttempts times.
func (c *retryCounter) next(name string, jitter *jitterSource) (time.Duration, bool) {
	if c.counts == nil { // counted only once something fails, which most runs never do
		c.counts = make([]int64, len(c.retriers))
	}
	for i, r := range c.retriers {
		if !matches(r.ErrorEquals, name) {
			continue
		}
		if c.counts[i] >= r.MaxAttempts {
			return 0, false
		}
		delay := backoff(r, c.counts[i])
		c.counts[i]++
		if r.JitterStrategy == "FULL" {
			delay = jitter.full(delay)
		}
		return delay, true
	}
	return 0, false
}

// backoff is IntervalSeconds x BackoffRate^retries, capped at MaxDelaySeconds.
func backoff(r asl.Retrier, retries int64) time.Duration {
	seconds := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(retries))
	if r.MaxDelaySeconds > 0 {
		seconds = math.Min(seconds, float64(r.MaxDelaySeconds))
	}
	// Beyond a year the exact figure no longer matters, and the Duration must not overflow.
	seconds = math.Min(seconds, 365*24*3600)
	return time.Duration(seconds * float64(time.Second))
}

// jitterSource draws FULL jitter from a seeded source, so that runs are reproducible.
type jitterSource struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newJitterSource(seed uint64) *jitterSource {
	return &jitterSource{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// full returns a delay drawn uniformly from [0, d].
func (j *jitterSource) full(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return time.Duration(j.rng.Int64N(int64(d) + 1))
}
