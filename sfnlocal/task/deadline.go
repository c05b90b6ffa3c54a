package task

import (
	"context"
	"sync"
	"time"
)

// deadlineContext is context.WithTimeout for Task invocations that usually return in
// microseconds: it says its deadline and reports DeadlineExceeded once it has passed,
// but arms a timer only when someone waits on Done. An in-process handler that never
// waits costs no timer, no goroutine and no registration with the execution's context,
// which context.WithTimeout spends on every call (an eighth of a whole saga's time).
type deadlineContext struct {
	context.Context // the parent: values, and its own cancellation
	deadline        time.Time

	mu       sync.Mutex
	done     chan struct{}
	err      error
	released bool
	stop     []func() bool
}

// withDeadline returns ctx bounded by deadline; its release method ends it (no func
// value returned: a method value would cost an allocation per call).
func withDeadline(ctx context.Context, deadline time.Time) *deadlineContext {
	return &deadlineContext{Context: ctx, deadline: deadline}
}

func (c *deadlineContext) Deadline() (time.Time, bool) {
	if parent, ok := c.Context.Deadline(); ok && parent.Before(c.deadline) {
		return parent, true
	}
	return c.deadline, true
}

// Done arms the timer on first use: it closes when the deadline passes, the parent
// ends or the context is released.
func (c *deadlineContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.released {
			close(c.done)
			return c.done
		}
		timer := time.AfterFunc(time.Until(c.deadline), func() { c.end(context.DeadlineExceeded) })
		c.stop = []func() bool{timer.Stop, context.AfterFunc(c.Context, func() { c.end(c.Context.Err()) })}
	}
	return c.done
}

func (c *deadlineContext) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}

func (c *deadlineContext) Err() error {
	c.mu.Lock()
	err := c.err
	if err == nil && c.released {
		err = context.Canceled
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// release ends the context, as a context.WithTimeout's cancel does: a handler still
// holding it sees Done closed and Canceled. It stops the timer if Done armed one.
func (c *deadlineContext) release() {
	c.mu.Lock()
	c.released = true
	stop := c.stop
	armed := c.done != nil
	c.mu.Unlock()
	if armed {
		c.end(context.Canceled)
	}
	for _, s := range stop {
		s()
	}
}
