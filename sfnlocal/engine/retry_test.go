package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/faresaga/faresaga/sfnlocal/asl"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		name        string
		errorEquals []string
		err         string
		want        bool
	}{
		{"exact name", []string{"MyError"}, "MyError", true},
		{"other name", []string{"MyError"}, "Other", false},
		{"names are case sensitive", []string{"myerror"}, "MyError", false},
		{"States.ALL takes anything catchable", []string{"States.ALL"}, "Lambda.Unknown", true},
		{"States.ALL takes a timeout", []string{"States.ALL"}, "States.Timeout", true},
		{"States.ALL does not take States.Runtime", []string{"States.ALL"}, "States.Runtime", false},
		{"States.ALL does not take DataLimitExceeded", []string{"States.ALL"}, "States.DataLimitExceeded", false},
		{"explicit States.Runtime is still not caught", []string{"States.Runtime"}, "States.Runtime", false},
		{"TaskFailed takes a task error", []string{"States.TaskFailed"}, "Lambda.Unknown", true},
		{"TaskFailed does not take a timeout", []string{"States.TaskFailed"}, "States.Timeout", false},
		{"TaskFailed takes a heartbeat timeout", []string{"States.TaskFailed"}, "States.HeartbeatTimeout", true},
		{"one of several", []string{"A", "B", "C"}, "B", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, matches(tt.errorEquals, tt.err))
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		name    string
		retrier asl.Retrier
		retries int64
		want    time.Duration
	}{
		{"first retry waits the interval", asl.Retrier{IntervalSeconds: 2, BackoffRate: 2}, 0, 2 * time.Second},
		{"then grows by the rate", asl.Retrier{IntervalSeconds: 2, BackoffRate: 2}, 3, 16 * time.Second},
		{"fractional rate", asl.Retrier{IntervalSeconds: 1, BackoffRate: 1.5}, 2, 2250 * time.Millisecond},
		{"capped by MaxDelaySeconds", asl.Retrier{IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 60}, 10, 60 * time.Second},
		{"huge exponents stay finite", asl.Retrier{IntervalSeconds: 1, BackoffRate: 10}, 400, 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, backoff(tt.retrier, tt.retries))
		})
	}
}

func TestRetryCounterCountsPerRetrier(t *testing.T) {
	c := newRetryCounter([]asl.Retrier{
		{ErrorEquals: []string{"A"}, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2},
		{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 5, BackoffRate: 1, MaxAttempts: 1},
	})
	jitter := newJitterSource(1)
	var delays []time.Duration
	for _, err := range []string{"A", "B", "A"} {
		d, ok := c.next(err, jitter)
		assert.True(t, ok, err)
		delays = append(delays, d)
	}
	assert.Equal(t, []time.Duration{time.Second, 5 * time.Second, 2 * time.Second}, delays)
	_, ok := c.next("A", jitter)
	assert.False(t, ok, "the first matching retrier decides, even when exhausted")
	_, ok = c.next("B", jitter)
	assert.False(t, ok)
}

func TestMaxAttemptsZeroNeverRetries(t *testing.T) {
	c := newRetryCounter([]asl.Retrier{{ErrorEquals: []string{"States.ALL"}, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 0}})
	_, ok := c.next("X", newJitterSource(1))
	assert.False(t, ok)
}

func TestFullJitterStaysWithinBoundsAndIsSeeded(t *testing.T) {
	retriers := []asl.Retrier{{ErrorEquals: []string{"X"}, IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 50, MaxDelaySeconds: 30, JitterStrategy: "FULL"}}
	draw := func(seed uint64) []time.Duration {
		c, j := newRetryCounter(retriers), newJitterSource(seed)
		var out []time.Duration
		for range 50 {
			d, ok := c.next("X", j)
			assert.True(t, ok)
			out = append(out, d)
		}
		return out
	}
	first := draw(42)
	for i, d := range first {
		assert.GreaterOrEqual(t, d, time.Duration(0))
		assert.LessOrEqual(t, d, backoff(retriers[0], int64(i)), "attempt %d", i)
	}
	assert.Equal(t, first, draw(42), "the same seed gives the same delays")
	assert.NotEqual(t, first, draw(43))
}
