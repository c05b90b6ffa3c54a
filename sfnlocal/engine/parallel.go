package engine

import (
	"context"
	"errors"
	"math"
	"sync"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// child starts a thread for a branch or an iteration: its own variable scope, its
// events chained from the parent's latest.
func (t *thread) child(mapItem *jsonvalue.Object) *thread {
	return &thread{x: t.x, log: t.log, vars: newVariables(t.vars), prev: t.prev, mapItem: mapItem}
}

// runParallel runs every branch on the same input, concurrently; the first branch to
// fail stops the others and fails the state. A redriven Parallel runs only the branches
// that did not succeed.
func (t *thread) runParallel(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, error) {
	if err := r.applyInputPath(); err != nil {
		return nil, nil, err
	}
	input, err := r.payload()
	if err != nil {
		return nil, nil, err
	}
	t.append(history.Event{Type: history.ParallelStateStarted})
	progress := r.startFan(len(r.st.branches))
	err = t.fanOut(ctx, progress, 0, func(ctx context.Context, i int) error {
		branch := t.child(nil)
		from := progress.from(i, r.st.branches[i], input, branch)
		out, err := branch.runScope(ctx, r.st.branches[i], from)
		progress.record(i, out, err, branch)
		return err
	})
	if err != nil {
		t.fan = progress
		return nil, nil, err
	}
	t.append(history.Event{Type: history.ParallelStateSucceeded})
	return r.finish(progress.outputs)
}

// startFan is the progress a Parallel or Map attempt starts from: what a redrive
// carried over, if it fits, or nothing done.
func (r *stateRun) startFan(n int) *fanProgress {
	prior := r.prior
	r.prior = nil // a retry after the redriven attempt starts from scratch, as on AWS
	if !prior.fits(n) {
		return newFanProgress(n)
	}
	p := newFanProgress(n)
	copy(p.done, prior.done)
	copy(p.outputs, prior.outputs)
	copy(p.resume, prior.resume)
	return p
}

// from is where branch or iteration i starts: where it stopped before a redrive, with
// the variables it had, or its scope's StartAt with input and a fresh scope.
func (p *fanProgress) from(i int, sc *scope, input any, child *thread) *resumePoint {
	if point := p.resume[i]; point != nil {
		p.resume[i] = nil
		child.vars = point.vars
		return point
	}
	return &resumePoint{state: sc.startAt, input: input, vars: child.vars}
}

// record notes how branch or iteration i ended. Called from the goroutine running it;
// each index is written by one goroutine only.
func (p *fanProgress) record(i int, output any, err error, child *thread) {
	if err == nil {
		p.done[i], p.outputs[i] = true, output
		return
	}
	p.resume[i] = child.stoppedAt
}

// runMap runs the item processor for every item, at most MaxConcurrency at a time. A
// redriven Map runs only the iterations that did not succeed.
func (t *thread) runMap(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, error) {
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
	var mapRun *MapRun
	if distributed {
		settings := MapRunSettings{MaxConcurrency: limit}
		if count, has, _ := r.st.toleratedCount.mapCount(r); has {
			settings.ToleratedFailureCount = count
		}
		if percent, has, _ := r.st.toleratedPercent.percentage(r); has {
			settings.ToleratedFailurePercentage = percent
		}
		mapRun = t.startMapRun(r, len(items), settings)
		t.append(history.Event{Type: history.MapRunStarted, MapRunStarted: &history.MapRunDetails{MapRunArn: mapRun.ARN}})
	}
	progress := r.startFan(len(items))
	var mu sync.Mutex
	failures := 0
	err = t.fanOut(ctx, progress, int(limit), func(ctx context.Context, i int) error {
		input, err := r.itemInput(items[i], i)
		if err != nil {
			return err
		}
		iteration := t.child(mapItem(i, items[i]))
		if distributed {
			// Each iteration is a child execution with a history of its own.
			iteration.log, iteration.prev = history.NewLog(), 0
		}
		detail := &history.MapIterationDetails{Name: r.st.Name, Index: i}
		iteration.append(history.Event{Type: history.MapIterationStarted, MapIterationStarted: detail})
		from := progress.from(i, r.st.processor, input, iteration)
		if mapRun != nil {
			mapRun.running.Add(1)
		}
		out, err := iteration.runScope(ctx, r.st.processor, from)
		progress.record(i, out, err, iteration)
		if mapRun != nil {
			mapRun.running.Add(-1)
			var stop *stopError
			switch {
			case err == nil:
				mapRun.succeeded.Add(1)
			case errors.As(err, &stop):
				mapRun.aborted.Add(1)
			default:
				mapRun.failed.Add(1)
			}
		}
		if err == nil {
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
			progress.outputs[i] = errorObject(f)
			return nil
		}
		if tolerated > 0 || r.st.toleratedCount != nil || r.st.toleratedPercent != nil {
			return failure.New(failure.ExceedToleratedFailure, "The specified tolerated failure threshold was exceeded")
		}
		return err
	})
	if distributed {
		event, status := history.Event{Type: history.MapRunSucceeded}, "SUCCEEDED"
		var stop *stopError
		switch {
		case errors.As(err, &stop):
			status = "ABORTED"
			event = history.Event{Type: history.MapRunAborted}
		case err != nil:
			f := failure.As(err)
			status = "FAILED"
			event = history.Event{Type: history.MapRunFailed, MapRunFailed: &history.FailureDetails{Error: f.Name, Cause: f.Cause}}
		}
		mapRun.end(status, t.x.engine.clock.Now())
		t.append(event)
	}
	if err != nil {
		t.fan = progress
		return nil, nil, err
	}
	t.append(history.Event{Type: history.MapStateSucceeded})
	return r.finish(progress.outputs)
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

// fanOut runs the jobs of the branches or iterations that progress has not done, at
// most limit at once (0: all), and returns the first failure, cancelling the jobs still
// running. A stop of the whole execution wins over everything: once the execution is
// stopped or timed out, fanOut reports that, even if every job it had started
// succeeded. The parent thread's event chain continues from the latest event.
func (t *thread) fanOut(ctx context.Context, progress *fanProgress, limit int, job func(context.Context, int) error) error {
	var pending []int
	for i, done := range progress.done {
		if !done {
			pending = append(pending, i)
		}
	}
	n := len(pending)
	if limit <= 0 || limit > n {
		limit = n
	}
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		slots    = make(chan struct{}, max(limit, 1))
	)
	for _, i := range pending {
		select {
		case slots <- struct{}{}:
		case <-jobCtx.Done():
		}
		if jobCtx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := job(jobCtx, i); err != nil {
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
	// which is ignored: the first error is the one that counts, unless the execution
	// itself is ending.
	if alive := t.checkAlive(ctx); alive != nil {
		return alive
	}
	return firstErr
}
