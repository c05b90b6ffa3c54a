package engine

import (
	"context"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// runSimpleState runs the states without Retry and Catch.
func (t *thread) runSimpleState(ctx context.Context, r *stateRun) (any, *jsonvalue.Object, string, error) {
	st := r.st
	inspect := r.inspect
	if st.Type == asl.TypePass && st.hasResult {
		r.inspect = nil // TestState shows a Pass state's Result, not its input steps
	}
	if err := r.applyInputPath(); err != nil {
		return nil, nil, "", err
	}
	switch st.Type {
	case asl.TypePass:
		if st.parameters == nil && !st.jsonata {
			r.inspect.setText("afterParameters", r.input)
		}
		result := r.input
		if st.hasResult {
			result = st.result
			r.inspect = inspect
			r.inspect.setText("result", result)
		} else if st.parameters != nil || st.arguments != nil {
			var err error
			if result, err = r.payload(); err != nil {
				return nil, nil, "", err
			}
		}
		output, assigned, err := r.finish(result)
		if st.jsonata && st.output == nil {
			output = r.rawInput // a JSONata Pass passes its input on unless Output says otherwise
		}
		return output, assigned, st.nextState(), err
	case asl.TypeWait:
		if err := t.wait(ctx, r); err != nil {
			return nil, nil, "", err
		}
		output, assigned, err := r.passThrough(st.output, st.assign, st.pathAssign)
		return output, assigned, st.nextState(), err
	case asl.TypeChoice:
		return t.runChoice(r)
	case asl.TypeSucceed:
		output, _, err := r.passThrough(st.output, nil, nil)
		return output, nil, "", err
	}
	return nil, nil, "", r.failState()
}

// failState is the failure a Fail state ends its scope with.
func (r *stateRun) failState() error {
	name, _, err := r.st.errorName.text(r)
	if err != nil {
		return evaluating(err)
	}
	cause, _, err := r.st.cause.text(r)
	if err != nil {
		return evaluating(err)
	}
	return &failure.Error{Name: name, Cause: cause}
}

// wait sleeps for Seconds or until Timestamp, on the engine's clock.
func (t *thread) wait(ctx context.Context, r *stateRun) error {
	var d time.Duration
	if r.st.seconds != nil {
		seconds, err := r.st.seconds.waitSeconds(r)
		if err != nil {
			return evaluating(err)
		}
		d = seconds
	} else {
		until, err := r.st.timestamp.waitUntil(r)
		if err != nil {
			return evaluating(err)
		}
		d = until.Sub(t.x.engine.clock.Now())
	}
	return t.sleep(ctx, d)
}
