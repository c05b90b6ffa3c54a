// Package clock gives the engine its time. Real time runs executions as AWS does; virtual
// time makes Retry backoffs and Wait states take no wall time at all, so tests and
// `faresaga run` walk through minutes of retries in microseconds, deterministically.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock is the engine's source of time.
type Clock interface {
	Now() time.Time
	// Sleep returns after d has passed on this clock, or with ctx's error if ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time { return time.Now() }

func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Virtual is a clock that only moves when something sleeps on it: a sleep advances it by
// its duration and returns at once. Concurrent sleepers (Parallel branches, Map
// iterations) each advance it, so it measures the work done, never less than any one
// branch waited; times it reports only ever increase.
type Virtual struct {
	mu  sync.Mutex
	now time.Time
}

// NewVirtual returns a virtual clock that starts at start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.Advance(d)
	return nil
}

// Advance moves the clock forward by d (never backward).
func (v *Virtual) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	v.mu.Lock()
	v.now = v.now.Add(d)
	v.mu.Unlock()
}
