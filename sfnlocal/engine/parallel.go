package engine

import (
	"context"
	"errors"
	"math"
	"sync"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
)

// child starts a thread for a branch or an iteration: its own variable scope, its
// events chained from the parent's latest.
func (t *thread) child(mapItem map[string]any) *thread {
	return &thread{x: t.x, log: t.log, vars: newVariables(t.vars), prev: t.prev, mapItem: mapItem}
}

// runParallel runs every branch on the same input, concurrently; the first branch to
// fail stops the others and fails the state.
func (t *thread) runParallel(ctx context.Context, r *stateRun) (any, map[string]any, error) {
	if err := r.applyInputPath(); err != nil {
		return nil, nil, err
	}
	input, err := r.payload()
	if err != nil {
		return nil, nil, err
	}
	t.append(history.Event{Type: history.ParallelStateStarted})
	results := make([]any, len(r.st.branches))
	err = t.fanOut(ctx, len(r.st.branches), 0, func(ctx context.Context, i int) error {
		branch := t.child(nil)
		out, err := branch.runScope(ctx, r.st.branches[i], input, "")
		results[i] = out
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	t.append(history.Event{Type: history.ParallelStateSucceeded})
	return r.finish(results)
}

// runMap runs the item processor for every item, at most MaxConcurrency at a time.
func (t *thread) runMap(ctx context.Context, r *stateRun) (any, map[string]any, error) {
	if err := r.applyInputPath(); err != nil {
		return nil, nil, err
	}
	items, err := r.evaluateItems()
	if err != nil {
		return nil, nil, err
	}
	limit, _, err := r.st.maxConcurrency.mapCount(r)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	// AWS evaluates the tolerated failures only once the map has started.
	t.append(history.Event{Type: history.MapStateStarted, MapStateStarted: &history.MapStartedDetails{Length: len(items)}})
	tolerated, err := r.toleratedFailures(len(items))
	if err != nil {
		return nil, nil, err
	}
	distributed := r.st.ItemProcessor != nil && r.st.ItemProcessor.ProcessorConfig != nil &&
		r.st.ItemProcessor.ProcessorConfig.Mode == "DISTRIBUTED"
	if distributed {
		t.append(history.Event{Type: history.MapRunStarted})
	}
	results := make([]any, len(items))
	var mu sync.Mutex
	failures := 0
	err = t.fanOut(ctx, len(items), int(limit), func(ctx context.Context, i int) error {
		input, err := r.itemInput(items[i], i)
		if err != nil {
			return err
		}
		iteration := t.child(map[string]any{"Index": float64(i), "Value": items[i]})
		if distributed {
			// Each iteration is a child execution with a history of its own.
			iteration.log, iteration.prev = history.NewLog(), 0
		}
		detail := &history.MapIterationDetails{Name: r.st.Name, Index: i}
		iteration.append(history.Event{Type: history.MapIterationStarted, MapIterationStarted: detail})
		out, err := iteration.runScope(ctx, r.st.processor, input, "")
		if err == nil {
			results[i] = out
			iteration.append(history.Event{Type: history.MapIterationSucceeded, MapIterationSucceeded: detail})
			return nil
		}
		var stop *stopError
		if errors.As(err, &stop) {
			iteration.append(history.Event{Type: history.MapIterationAborted, MapIterationAborted: detail})
			return err
		}
		iteration.append(history.Event{Type: history.MapIterationFailed, MapIterationFailed: detail})
		mu.Lock()
		defer mu.Unlock()
		failures++
		if failures <= tolerated {
			f := failure.As(err)
			results[i] = map[string]any{"Error": f.Name, "Cause": f.Cause}
			return nil
		}
		if tolerated > 0 || r.st.toleratedCount != nil || r.st.toleratedPercent != nil {
			return failure.New(failure.ExceedToleratedFailure, "The specified tolerated failure threshold was exceeded")
		}
		return err
	})
	if distributed {
		runEnd := history.MapRunSucceeded
		if err != nil {
			runEnd = history.MapRunFailed
		}
		t.append(history.Event{Type: runEnd})
	}
	if err != nil {
		return nil, nil, err
	}
	t.append(history.Event{Type: history.MapStateSucceeded})
	return r.finish(results)
}

// toleratedFailures is how many iterations may fail before the Map does.
func (r *stateRun) toleratedFailures(items int) (int, error) {
	count, hasCount, err := r.st.toleratedCount.mapCount(r)
	if err != nil {
		return 0, evaluating(err)
	}
	percent, hasPercent, err := r.st.toleratedPercent.percentage(r)
	if err != nil {
		return 0, evaluating(err)
	}
	tolerated := 0
	if hasCount {
		tolerated = int(count)
	}
	if hasPercent {
		tolerated = max(tolerated, int(math.Floor(percent/100*float64(items))))
	}
	return tolerated, nil
}

// fanOut runs n jobs, at most limit at once (0: all), and returns the first failure,
// cancelling the jobs still running. The parent thread's event chain continues from
// the latest event when all are done.
func (t *thread) fanOut(ctx context.Context, n, limit int, job func(context.Context, int) error) error {
	if limit <= 0 || limit > n {
		limit = n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		slots    = make(chan struct{}, max(limit, 1))
	)
	for i := range n {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := job(ctx, i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.prev = t.log.LastID()
	// Siblings cancelled because of the first failure end with a stop of their own,
	// which is ignored: the first error is the one that counts, a stop of the whole
	// execution included.
	return firstErr
}
