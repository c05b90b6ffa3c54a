package task

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// Functions runs Go Lambda handlers in-process, through aws-lambda-go's own handler
// wrapper, so events decode into the handler's input type and errors get their
// errorType exactly as on AWS. It serves both Lambda function ARN resources and
// arn:aws:states:::lambda:invoke. Safe for concurrent use.
type Functions struct {
	env    Env
	mu     sync.RWMutex
	byName map[string][]*function
}

// function is one registered handler.
type function struct {
	// region and account are empty when registered by bare name, so the name answers
	// in any region and account; qualifier is empty to answer for every version.
	region, account, qualifier string
	// handlers pools aws-lambda-go handlers: the bytes a handler's Invoke returns live
	// in a buffer that handler reuses on its next call, so a handler must not be shared
	// by concurrent invocations (a Map state's iterations) until its output is copied.
	handlers sync.Pool
}

// NewFunctions returns an empty set of in-process functions in env's account.
func NewFunctions(env Env) *Functions {
	return &Functions{env: env.withDefaults(), byName: map[string][]*function{}}
}

// RegisterFunction makes handler answer for a function name, partial ARN or ARN,
// optionally qualified with a version or alias (a qualified registration answers only
// for that qualifier, an unqualified one for all). handler is anything lambda.Start
// accepts. A name Lambda would refuse is a programming error and panics.
func (f *Functions) RegisterFunction(nameOrARN string, handler any) {
	name, err := parseFunctionName(nameOrARN)
	if err != nil {
		panic(fmt.Sprintf("task: RegisterFunction: %v", err))
	}
	if name.account != "" && name.region == "" { // a partial ARN is in the caller's region
		name.region = f.env.Region
	}
	fn := &function{region: name.region, account: name.account, qualifier: name.qualifier}
	fn.handlers.New = func() any { return lambda.NewHandler(handler) }

	f.mu.Lock()
	defer f.mu.Unlock()
	registered := f.byName[name.name]
	for i, old := range registered {
		if old.region == fn.region && old.account == fn.account && old.qualifier == fn.qualifier {
			registered[i] = fn
			return
		}
	}
	f.byName[name.name] = append(registered, fn)
}

// lookup finds the registration that answers for name (region and account filled in),
// preferring one registered for exactly its qualifier, then for exactly its account.
func (f *Functions) lookup(name functionName) *function {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var best *function
	bestScore := -1
	for _, fn := range f.byName[name.name] {
		if score, ok := fn.matches(name); ok && score > bestScore {
			best, bestScore = fn, score
		}
	}
	return best
}

func (fn *function) matches(name functionName) (score int, ok bool) {
	if fn.region != "" && (fn.region != name.region || fn.account != name.account) {
		return 0, false
	}
	if fn.region != "" {
		score++
	}
	switch {
	case fn.qualifier == "":
	case fn.qualifier == name.qualifier, fn.qualifier == "$LATEST" && name.qualifier == "":
		score += 2
	default:
		return 0, false
	}
	return score, true
}

// invocation is what Lambda's Invoke API answers for a successful call.
type invocation struct {
	payload   []byte
	requestID string
	version   string
}

// invoke calls the function name designates with the payload as its event. It fails
// like Lambda for a function that does not exist, with the function's error for a
// function error, and with ctx's error when ctx ends first.
func (f *Functions) invoke(ctx context.Context, name functionName, payload []byte) (invocation, error) {
	name = name.in(f.env)
	requestID := f.env.NewID()
	fn := f.lookup(name)
	if fn == nil {
		return invocation{}, &failure.Error{
			Name: "Lambda.ResourceNotFoundException",
			Cause: serviceErrorCause("Function not found: "+name.qualifiedARN(), "AWSLambda",
				http.StatusNotFound, "ResourceNotFoundException", requestID),
		}
	}
	invokedARN := name.arn()
	if name.qualifier != "" {
		invokedARN = name.qualifiedARN()
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID, InvokedFunctionArn: invokedARN})
	out, ive, err := fn.runUntilDone(ctx, payload)
	if err != nil {
		return invocation{}, err
	}
	if ive != nil {
		return invocation{}, functionFailure(*ive)
	}
	return invocation{payload: out, requestID: requestID, version: name.version()}, nil
}

type handlerOutcome struct {
	out []byte
	ive *messages.InvokeResponse_Error
}

// runUntilDone runs the handler and stops waiting for it when ctx ends. The handler
// keeps running then (Go cannot stop a goroutine), but it holds the same ctx and a
// well-behaved handler returns soon after.
func (fn *function) runUntilDone(ctx context.Context, payload []byte) ([]byte, *messages.InvokeResponse_Error, error) {
	if ctx.Done() == nil { // nothing can interrupt: no goroutine needed
		out, ive := fn.run(ctx, payload)
		return out, ive, nil
	}
	done := make(chan handlerOutcome, 1)
	go func() {
		out, ive := fn.run(ctx, payload)
		done <- handlerOutcome{out, ive}
	}()
	select {
	case outcome := <-done:
		return outcome.out, outcome.ive, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// run invokes the handler as aws-lambda-go's runtime loop does, panics included.
func (fn *function) run(ctx context.Context, payload []byte) (out []byte, ive *messages.InvokeResponse_Error) {
	handler := fn.handlers.Get().(lambda.Handler)
	defer fn.handlers.Put(handler)
	defer func() {
		if value := recover(); value != nil {
			response := panicResponse(value)
			out, ive = nil, &response
		}
	}()
	response, err := handler.Invoke(ctx, payload)
	if err != nil {
		errResponse := errorResponse(err)
		return nil, &errResponse
	}
	return bytes.Clone(response), nil
}
