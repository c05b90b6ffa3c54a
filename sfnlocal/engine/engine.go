// Package engine runs Amazon States Language state machines: the interpreter of the
// local Step Functions runtime. It knows nothing about any application; the Task
// integrations it calls are given to it.
package engine

import (
	"context"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// MaxPayloadBytes is Step Functions' limit on a state's input or output, and on the
// execution input: 256 KiB of UTF-8 JSON.
const MaxPayloadBytes = 256 * 1024

// Tasks runs the Task states' invocations; *task.Registry is the implementation.
type Tasks interface {
	Invoke(ctx context.Context, req task.Request) (any, error)
}

// Options configure an Engine. The zero value of each field has a sensible default.
type Options struct {
	// Clock is real time by default; a virtual clock makes Retry and Wait instant.
	Clock clock.Clock
	// Tasks runs Task states; without it every Task fails.
	Tasks Tasks
	// Seed makes Retry jitter, $random, States.MathRandom and UUIDs reproducible; 0 draws
	// a seed from the clock.
	Seed uint64
	// Region and Account appear in ARNs and in TaskScheduled events.
	Region  string
	Account string
}

// Engine compiles state machines and runs their executions. It is safe for concurrent
// use: any number of executions may run at once.
type Engine struct {
	clock clock.Clock
	// realClock says clock is the wall clock, which later can read more cheaply.
	realClock bool
	tasks     Tasks
	region    string
	account   string
	jitter    *jitterSource
	ids       *idSource
	// functions are JSONata's AWS functions, bound once to the seeded ids.
	functions  *jsonata.Functions
	newUUID    func() string // ids.UUID, bound once rather than on every use
	callbacks  callbacks
	activities activities
	hooks      hooks
}

// later reads the clock at a moment after since (a time it gave earlier in this
// execution): on the wall clock, as since plus the monotonic time elapsed, one clock
// read rather than the two of time.Now.
func (e *Engine) later(since time.Time) time.Time {
	if e.realClock {
		return since.Add(time.Since(since))
	}
	return e.clock.Now()
}

// New returns an engine with opts.
func New(opts Options) *Engine {
	e := &Engine{clock: opts.Clock, tasks: opts.Tasks, region: opts.Region, account: opts.Account}
	if e.clock == nil {
		e.clock = clock.Real{}
	}
	_, e.realClock = e.clock.(clock.Real)
	if e.region == "" {
		e.region = "us-east-1"
	}
	if e.account == "" {
		e.account = "000000000000"
	}
	seed := opts.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	e.jitter = newJitterSource(seed)
	e.ids = newIDSource(seed)
	e.newUUID = e.ids.UUID
	e.functions = jsonata.NewFunctions(jsonata.Sources{Random: e.ids.Float64, UUID: e.ids.UUID})
	return e
}

// Clock is the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.clock }

// Region is the region the engine pretends to run in.
func (e *Engine) Region() string { return e.region }

// Account is the account the engine pretends to run in.
func (e *Engine) Account() string { return e.account }
