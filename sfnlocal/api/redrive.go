package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/engine"
)

type redriveExecutionRequest struct {
	ExecutionArn string  `json:"executionArn"`
	ClientToken  *string `json:"clientToken"`
}

type redriveExecutionResponse struct {
	RedriveDate timestamp `json:"redriveDate"`
}

// Client tokens, as AWS keeps them: the last 10 that redrove an execution, each for 15
// minutes after its first use, answer again with the redrive they made.
const (
	clientTokensKept   = 10
	clientTokenLife    = 15 * time.Minute
	maxClientTokenSize = 64
)

// redriveTokens remembers the client tokens of one execution's recent redrives.
type redriveTokens struct {
	mu     sync.Mutex
	tokens []usedToken // oldest first
}

type usedToken struct {
	token   string
	firstAt time.Time
	redrive time.Time
}

func (r *redriveTokens) lookup(token string, now time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range r.tokens {
		if t.token == token && now.Sub(t.firstAt) < clientTokenLife {
			return t.redrive, true
		}
	}
	return time.Time{}, false
}

func (r *redriveTokens) remember(token string, now, redrive time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens = append(r.tokens, usedToken{token: token, firstAt: now, redrive: redrive})
	if len(r.tokens) > clientTokensKept {
		r.tokens = r.tokens[len(r.tokens)-clientTokensKept:]
	}
}

func checkClientToken(token *string) *apiError {
	if token == nil {
		return nil
	}
	switch n := len(*token); {
	case n < 1:
		return validationError("clientToken", *token, "Member must have length greater than or equal to 1")
	case n > maxClientTokenSize:
		return validationError("clientToken", *token, fmt.Sprintf("Member must have length less than or equal to %d", maxClientTokenSize))
	}
	for _, c := range *token {
		if c < '!' || c > '~' {
			return validationError("clientToken", *token, "Member must satisfy regular expression pattern: [!-~]+")
		}
	}
	return nil
}

// redriveExecution continues a FAILED, ABORTED or TIMED_OUT Standard execution from
// where it stopped (see engine.Redrive). The same clientToken again, within 15 minutes,
// answers with the redrive it made instead of redriving once more.
func (s *Server) redriveExecution(_ context.Context, in *redriveExecutionRequest) (any, *apiError) {
	if err := checkARN("executionArn", in.ExecutionArn, resourceExecution, resourceExpress); err != nil {
		return nil, err
	}
	if err := checkClientToken(in.ClientToken); err != nil {
		return nil, err
	}
	x, ok := s.store.execution(in.ExecutionArn)
	if !ok {
		return nil, executionDoesNotExist(in.ExecutionArn)
	}
	if x.express {
		return nil, clientError(codeStateMachineTypeNotSupport, "This operation is not supported by this type of state machine")
	}
	now := s.clock.Now()
	if in.ClientToken != nil {
		if at, seen := x.tokens.lookup(*in.ClientToken, now); seen {
			return redriveExecutionResponse{RedriveDate: stamp(at)}, nil
		}
	}
	if _, exists := s.store.machine(x.StateMachineARN); !exists {
		return nil, notRedrivable(in.ExecutionArn, engine.ReasonMachineDeleting)
	}
	at, err := s.store.redrive(x, func() (time.Time, error) { return s.engine.Redrive(s.ctx, x.Execution) })
	var refused *engine.NotRedrivableError
	switch {
	case errors.As(err, &refused):
		return nil, notRedrivable(in.ExecutionArn, refused.Reason)
	case err != nil:
		return nil, internalError("cannot redrive the execution: %v", err)
	}
	if in.ClientToken != nil {
		x.tokens.remember(*in.ClientToken, now, at)
	}
	return redriveExecutionResponse{RedriveDate: stamp(at)}, nil
}

func notRedrivable(arn, reason string) *apiError {
	return clientError(codeExecutionNotRedrivable, "Execution Not Redrivable: '%s': %s", arn, reason)
}

// redriveStatus is what DescribeExecution and ListExecutions say about redriving x.
func (s *Server) redriveStatus(x *storedExecution) (status, reason string) {
	if x.express {
		return engine.NotRedrivable, "Execution is of type EXPRESS and cannot be redriven"
	}
	status, reason = x.RedriveStatus()
	if status == engine.Redrivable {
		if _, exists := s.store.machine(x.StateMachineARN); !exists {
			return engine.NotRedrivable, engine.ReasonMachineDeleting
		}
	}
	return status, reason
}

func redriveFilter(filter string) (func(*storedExecution) bool, *apiError) {
	switch filter {
	case "":
		return func(*storedExecution) bool { return true }, nil
	case "REDRIVEN":
		return func(x *storedExecution) bool { return x.Result().RedriveCount > 0 }, nil
	case "NOT_REDRIVEN":
		return func(x *storedExecution) bool { return x.Result().RedriveCount == 0 }, nil
	}
	return nil, validationError("redriveFilter", filter, "Member must satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]")
}
