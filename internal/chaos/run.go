package chaos

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// Config is a chaos run.
type Config struct {
	Sagas int
	Seed  uint64
	// ShardSize is how many sagas share one embedded stack (tables, gateway, engine). A
	// shard is a whole system of its own; sharding keeps the local DynamoDB, which copies
	// a table for each transaction, at a realistic size.
	ShardSize int
	// Concurrency is how many sagas of a shard run at once.
	Concurrency int
	// Progress, when set, receives a line per shard.
	Progress io.Writer
}

// Report is what a run found.
type Report struct {
	Sagas    int            `json:"sagas"`
	Seed     uint64         `json:"seed"`
	Faults   map[Kind]int64 `json:"faults"`
	Outcomes map[string]int `json:"outcomes"`
	// NeedsAttention counts the fares left for an operator by the compensation that
	// failed and its error.
	NeedsAttention map[string]int `json:"needsAttention"`
	// Resumes counts the operator's resumes of stuck fares.
	Resumes    int           `json:"resumes"`
	Violations []string      `json:"violations"`
	Elapsed    time.Duration `json:"elapsedNanoseconds"`
	PeakHeap   uint64        `json:"peakHeapBytes"`
}

// Run runs cfg.Sagas sagas with faults, shard after shard, and checks each shard.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Sagas <= 0 {
		return Report{}, fmt.Errorf("the number of sagas must be positive, not %d", cfg.Sagas)
	}
	if cfg.ShardSize <= 0 {
		cfg.ShardSize = 250
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	begin := time.Now()
	counts := newCounts()
	report := Report{Sagas: cfg.Sagas, Seed: cfg.Seed, Outcomes: map[string]int{}, NeedsAttention: map[string]int{}}
	var peak uint64
	shards := (cfg.Sagas + cfg.ShardSize - 1) / cfg.ShardSize
	for shard := range shards {
		first := shard * cfg.ShardSize
		last := min(first+cfg.ShardSize, cfg.Sagas)
		sagas := make([]saga, 0, last-first)
		for n := first; n < last; n++ {
			sagas = append(sagas, planSaga(cfg.Seed, n))
		}
		v, err := runShard(ctx, cfg, uint64(shard), sagas, counts)
		if err != nil {
			return report, fmt.Errorf("shard %d: %w", shard, err)
		}
		for outcome, n := range v.outcomes {
			report.Outcomes[outcome] += n
		}
		for cause, n := range v.attention {
			report.NeedsAttention[cause] += n
		}
		report.Resumes += v.resumes
		report.Violations = append(report.Violations, v.violations...)
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		peak = max(peak, mem.HeapInuse)
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "shard %d/%d: %d/%d sagas, %d violations, %s\n",
				shard+1, shards, last, cfg.Sagas, len(report.Violations), time.Since(begin).Round(time.Millisecond))
		}
	}
	report.Faults = counts.Snapshot()
	report.Elapsed = time.Since(begin)
	report.PeakHeap = peak
	return report, nil
}

// runShard runs a shard's sagas on a stack of its own and checks it.
func runShard(ctx context.Context, cfg Config, shard uint64, sagas []saga, counts *Counts) (verdict, error) {
	seed := cfg.Seed*1_000_003 + shard
	var throttle *throttling
	var deliver *delivery
	moments := &moments{}
	stopper := &stops{counts: counts}
	logs := &syncbuf.Buffer{}
	stack, err := embedded.Start(embedded.Options{
		HandlerLogs: logs,
		Clock:       clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), Seed: seed + 1, FaultInjection: true,
		DynamoDBAttempts: 1,
		WrapDynamoDB: func(next http.Handler) http.Handler {
			throttle = newThrottling(next, seed, counts)
			return throttle
		},
		WrapFunctions: func(inner task.Integration) task.Integration {
			deliver = &delivery{inner: inner, seed: seed, counts: counts}
			moments.inner = deliver
			stopper.inner = moments
			return stopper
		},
	})
	if err != nil {
		return verdict{}, err
	}
	defer stack.Close()
	for _, s := range sagas {
		for _, k := range s.planned {
			counts.add(k)
		}
	}
	throttle.enabled.Store(true)
	run, err := runSagas(ctx, stack, sagas, cfg.Concurrency, moments, stopper, counts)
	if err != nil {
		return verdict{}, err
	}
	stopper.drain()
	deliver.drain()
	throttle.enabled.Store(false) // the checks read the tables without faults
	run.logs = logs.String()
	return check(ctx, stack, sagas, run)
}

// shardRun is what the sagas of a shard did: how each execution ended, which execution
// owns each fare, the second executions that tried to take a fareId, and the operator's
// resumes.
type shardRun struct {
	results   map[string]engine.Result     // by fareId
	owners    map[string]string            // by fareId: embedded.OwnerOf its execution
	conflicts map[string]*engine.Execution // by fareId
	refused   map[string]*engine.Execution // by fareId: the executions of inputs with card data
	resumes   map[string]int               // by fareId
	// resumeErrors are the resumes of stuck fares that could not be made, by fareId.
	resumeErrors map[string]error
	logs         string // what the handlers logged
}

func runSagas(ctx context.Context, stack *embedded.Stack, sagas []saga, concurrency int, at *moments, stopper *stops, counts *Counts) (*shardRun, error) {
	run := &shardRun{results: make(map[string]engine.Result, len(sagas)), owners: make(map[string]string, len(sagas)),
		conflicts: map[string]*engine.Execution{}, refused: map[string]*engine.Execution{},
		resumes: map[string]int{}, resumeErrors: map[string]error{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	fail := func(err error) {
		mu.Lock()
		firstErr = cmp.Or(firstErr, err)
		mu.Unlock()
	}
	slots := make(chan struct{}, concurrency)
	for _, s := range sagas {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			var second *moment
			if c := s.conflict; c != nil {
				start := func() {
					x, err := startConflict(ctx, stack, c)
					if err != nil {
						fail(fmt.Errorf("start the conflicting execution %s: %w", c.name, err))
						return
					}
					mu.Lock()
					run.conflicts[s.fareID] = x
					mu.Unlock()
				}
				if at == nil {
					second = &moment{run: start}
				} else {
					second = at.add(s.fareID, c.at, start)
				}
			}
			if s.stop != nil && stopper != nil {
				stopper.add(s.fareID, s.stop)
			}
			x, err := stack.StartFare(ctx, s.input())
			if err != nil {
				fail(fmt.Errorf("start saga %s: %w", s.fareID, err))
				return
			}
			if s.stop != nil {
				s.stop.execution <- x
			}
			// A saga still running after a minute is stuck; the checks report it.
			waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			_ = stack.Settled(waitCtx, x)
			if s.stop != nil {
				s.stop.markWatched()
			}
			resumes, resumeErr := resumeStuck(ctx, stack, x, s.fareID, s.stop, s.resumeTwice, counts)
			if s.stop != nil && stopper != nil {
				stopper.remove(s.fareID) // the name is free for a second execution now
			}
			if second != nil {
				second.once.Do(second.run) // its moment never came: it comes after the end
			}
			mu.Lock()
			run.results[s.fareID] = x.Result()
			run.owners[s.fareID] = embedded.OwnerOf(x)
			run.resumes[s.fareID] = resumes
			if resumeErr != nil {
				run.resumeErrors[s.fareID] = resumeErr
			}
			if s.cardData != nil {
				run.refused[s.fareID] = x
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return run, firstErr
}
