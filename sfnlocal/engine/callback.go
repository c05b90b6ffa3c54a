package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Callback tasks (Resource ending in .waitForTaskToken) hand a task token to the
// integration and then wait until someone calls SendTaskSuccess or SendTaskFailure with
// it, or the task times out.

const waitForTaskToken = ".waitForTaskToken"

// ErrTaskTokenInvalid: no task is waiting on the token (unknown, or already answered).
var ErrTaskTokenInvalid = errors.New("the task token is not valid: no task is waiting for it")

// ErrTaskTimedOut: the task the token belonged to timed out before the answer.
var ErrTaskTimedOut = errors.New("the task timed out before the answer")

// ErrInvalidTaskOutput: SendTaskSuccess's output is not JSON.
var ErrInvalidTaskOutput = errors.New("the task output is not valid JSON")

// callbackResult is how a waiting task ends.
type callbackResult struct {
	output any
	fail   *failure.Error
}

type pendingTask struct {
	answer    chan callbackResult // buffered: the first answer wins
	heartbeat chan struct{}
}

// callbacks tracks the tasks waiting for a token, and the tokens of tasks that timed
// out (so that a late answer gets TaskTimedOut rather than InvalidToken, as on AWS).
type callbacks struct {
	mu       sync.Mutex
	waiting  map[string]*pendingTask
	timedOut map[string]bool
}

func (c *callbacks) register(token string) *pendingTask {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waiting == nil {
		c.waiting, c.timedOut = map[string]*pendingTask{}, map[string]bool{}
	}
	p := &pendingTask{answer: make(chan callbackResult, 1), heartbeat: make(chan struct{}, 1)}
	c.waiting[token] = p
	return p
}

func (c *callbacks) forget(token string, timedOut bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waiting, token)
	if timedOut {
		c.timedOut[token] = true
	}
}

func (c *callbacks) find(token string) (*pendingTask, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.waiting[token]; ok {
		return p, nil
	}
	if c.timedOut[token] {
		return nil, ErrTaskTimedOut
	}
	return nil, ErrTaskTokenInvalid
}

func (c *callbacks) answer(token string, result callbackResult) error {
	p, err := c.find(token)
	if err != nil {
		return err
	}
	select {
	case p.answer <- result:
		return nil
	default:
		return ErrTaskTokenInvalid // answered already
	}
}

// SendTaskSuccess completes the callback task waiting on token with output (JSON).
func (e *Engine) SendTaskSuccess(token, output string) error {
	v, err := jsonvalue.ParseString(output)
	if err != nil {
		return ErrInvalidTaskOutput
	}
	return e.callbacks.answer(token, callbackResult{output: v})
}

// SendTaskFailure fails the callback task waiting on token.
func (e *Engine) SendTaskFailure(token, errName, cause string) error {
	return e.callbacks.answer(token, callbackResult{fail: &failure.Error{Name: errName, Cause: cause}})
}

// SendTaskHeartbeat tells the callback task waiting on token that its worker is alive.
func (e *Engine) SendTaskHeartbeat(token string) error {
	p, err := e.callbacks.find(token)
	if err != nil {
		return err
	}
	select {
	case p.heartbeat <- struct{}{}:
	default: // a heartbeat is already pending: one is as good as two
	}
	return nil
}

// newTaskToken is an opaque token, like AWS's, unique within the engine.
func (e *Engine) newTaskToken() string {
	return strings.ReplaceAll(e.ids.UUID()+e.ids.UUID(), "-", "")
}

// awaitCallback waits for the answer to a callback task. Its timeouts run on the wall
// clock: a worker answering is outside the engine's virtual time.
func (e *Engine) awaitCallback(ctx context.Context, token string, p *pendingTask, timeout, heartbeat time.Duration) (any, error) {
	var timeoutC, heartbeatC <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	var beat *time.Timer
	if heartbeat > 0 {
		beat = time.NewTimer(heartbeat)
		defer beat.Stop()
		heartbeatC = beat.C
	}
	for {
		select {
		case r := <-p.answer:
			e.callbacks.forget(token, false)
			if r.fail != nil {
				return nil, r.fail
			}
			return r.output, nil
		case <-p.heartbeat:
			if beat != nil {
				beat.Reset(heartbeat)
			}
		case <-heartbeatC:
			e.callbacks.forget(token, true)
			return nil, &failure.Error{Name: failure.HeartbeatTimeout}
		case <-timeoutC:
			e.callbacks.forget(token, true)
			return nil, &failure.Error{Name: failure.Timeout}
		case <-ctx.Done():
			e.callbacks.forget(token, false)
			return nil, ctx.Err()
		}
	}
}
