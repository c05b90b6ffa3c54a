package task

import (
	"context"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// Registry picks the integration for each Task resource and calls it: the one
// entry point the interpreter needs. Safe for concurrent use.
//
// Invocations read the integrations and mocks without a lock: both are replaced, never
// changed, when Handle or UseMocks is called.
type Registry struct {
	mu           sync.Mutex // serialises Handle
	integrations atomic.Pointer[map[Kind]Integration]
	mocks        atomic.Pointer[MockConfig]
}

// NewRegistry returns a registry with no integrations.
func NewRegistry() *Registry {
	r := &Registry{}
	r.integrations.Store(&map[Kind]Integration{})
	return r
}

// Handle makes integration run the resources of kind.
func (r *Registry) Handle(kind Kind, integration Integration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := maps.Clone(*r.integrations.Load())
	next[kind] = integration
	r.integrations.Store(&next)
}

func (r *Registry) integration(kind Kind) Integration {
	return (*r.integrations.Load())[kind]
}

// UseFunctions runs Lambda function ARNs and lambda:invoke with in-process functions.
func (r *Registry) UseFunctions(functions *Functions) {
	r.Handle(KindLambdaFunction, functions)
	r.Handle(KindLambdaInvoke, functions)
}

// UseMocks answers the states a test case lists from mocked responses instead of
// calling their integration.
func (r *Registry) UseMocks(mocks *MockConfig) {
	r.mocks.Store(mocks)
}

// Resolve parses a Resource ARN and checks that something runs it.
func (r *Registry) Resolve(resource string) (Resource, Integration, error) {
	parsed, err := ParseResource(resource)
	if err != nil {
		return Resource{}, nil, err
	}
	integration := r.integration(parsed.Kind)
	if integration == nil {
		return parsed, nil, failure.New(failure.Runtime, "no integration is configured to run %s", resource)
	}
	return parsed, integration, nil
}

// Invoke runs one Task invocation: from a mocked response when the caller's test case
// lists the state, otherwise with the resource's integration under the Task's timeout.
// An elapsed timeout fails with States.Timeout; ctx ending for another reason returns
// ctx's error, since the execution itself is being stopped.
func (r *Registry) Invoke(ctx context.Context, req Request) (any, error) {
	var resource Resource
	if req.Parsed != nil && req.Parsed.ARN == req.Resource {
		resource = *req.Parsed
	} else {
		var err error
		if resource, err = ParseResource(req.Resource); err != nil {
			return nil, err
		}
	}
	if mocked, answered, err := r.mockedResult(resource, req.Caller); answered {
		return mocked, err
	}
	integration := r.integration(resource.Kind)
	if integration == nil {
		return nil, failure.New(failure.Runtime, "no integration is configured to run %s", req.Resource)
	}
	if req.Timeout <= 0 {
		return integration.Invoke(ctx, req)
	}
	start := req.Scheduled
	if start.IsZero() {
		start = time.Now()
	}
	callCtx := withDeadline(ctx, start.Add(req.Timeout))
	defer callCtx.release()
	result, err := integration.Invoke(callCtx, req)
	if err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return nil, &failure.Error{Name: failure.Timeout}
	}
	return result, err
}

// mockedResult answers from the mock configuration when it lists the caller's state.
func (r *Registry) mockedResult(resource Resource, caller Caller) (result any, answered bool, err error) {
	mocks := r.mocks.Load()
	if mocks == nil || caller.TestCase == "" {
		return nil, false, nil
	}
	response, listed, err := mocks.Response(caller)
	if !listed || err != nil {
		return nil, err != nil, err
	}
	result, err = response.resultFor(resource)
	return result, true, err
}
