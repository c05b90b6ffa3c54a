package statemachine

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/steperr"
)

// The structure of the definition, decoded as far as these tests need.
type machine struct {
	Comment        string
	QueryLanguage  string
	StartAt        string
	TimeoutSeconds int
	States         map[string]state
}

type state struct {
	Type           string
	Resource       string
	Next           string
	End            bool
	TimeoutSeconds int
	Retry          []retrier
	Catch          []catcher
	Arguments      map[string]any
	Error          string
	Choices        []struct{ Condition, Next string }
	Default        string
}

type retrier struct {
	ErrorEquals     []string
	IntervalSeconds *float64
	BackoffRate     *float64
	MaxAttempts     *int
	MaxDelaySeconds float64
	JitterStrategy  string
}

type catcher struct {
	ErrorEquals []string
	Next        string
	Assign      map[string]any
}

func load(t *testing.T) machine {
	t.Helper()
	var m machine
	require.NoError(t, json.Unmarshal([]byte(Definition), &m))
	return m
}

var (
	forwardSteps  = []string{RegisterFare, PreAuthorizePayment, ChargeFare, CreditCustomerAccount, SetFareStatusCompleted}
	compensations = []string{ReverseCustomerCredit, RefundFare, VoidPreAuthorization, CancelFare}
	lambdaErrors  = []string{"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"}
)

func TestDefinitionHasEveryContractState(t *testing.T) {
	m := load(t)
	assert.Equal(t, "JSONata", m.QueryLanguage)
	assert.Equal(t, RegisterFare, m.StartAt)
	contract := map[string]string{
		RegisterFare: "Task", PreAuthorizePayment: "Task", ChargeFare: "Task", CreditCustomerAccount: "Task",
		SetFareStatusCompleted: "Task", NotifySuccess: "Task", FareProcessingSucceeded: "Succeed",
		ReverseCustomerCredit: "Task", RefundFare: "Task", VoidPreAuthorization: "Task", CancelFare: "Task",
		NotifyFailure: "Task", FareProcessingFailed: "Fail", FareNeedsAttention: "Fail",
		FareOwnedByThisExecution: "Choice",
	}
	assert.Len(t, m.States, len(contract), "no state beyond the contract")
	for name, typ := range contract {
		assert.Equal(t, typ, m.States[name].Type, name)
	}
	assert.Equal(t, "FareConflict", m.States[FareNeedsAttention].Error)
}

func TestIntegrations(t *testing.T) {
	m := load(t)
	for _, fn := range Functions {
		st := m.States[fn.State]
		assert.Equal(t, "arn:aws:states:::lambda:invoke", st.Resource, fn.State)
		assert.Equal(t, "${"+fn.SubstitutionKey+"}", st.Arguments["FunctionName"], fn.State)
	}
	assert.Equal(t, "arn:aws:states:::dynamodb:updateItem", m.States[SetFareStatusCompleted].Resource)
	assert.Equal(t, "${"+FaresTableName+"}", m.States[SetFareStatusCompleted].Arguments["TableName"])
	assert.Contains(t, m.States[SetFareStatusCompleted].Arguments["ConditionExpression"], "#status = :registered")
	for name, successful := range map[string]string{NotifySuccess: "true", NotifyFailure: "false"} {
		st := m.States[name]
		assert.Equal(t, "arn:aws:states:::sns:publish", st.Resource, name)
		assert.Equal(t, "${"+FareOutcomeTopicArn+"}", st.Arguments["TopicArn"], name)
		attrs := st.Arguments["MessageAttributes"].(map[string]any)
		assert.Equal(t, successful, attrs["IsSuccessful"].(map[string]any)["StringValue"], name)
	}
}

// successors are the states a state can move to, through Next or a Catch.
func successors(st state) []string {
	var next []string
	if st.Next != "" {
		next = append(next, st.Next)
	}
	for _, c := range st.Catch {
		next = append(next, c.Next)
	}
	for _, c := range st.Choices {
		next = append(next, c.Next)
	}
	if st.Default != "" {
		next = append(next, st.Default)
	}
	return next
}

func TestEveryPathEndsInSucceedOrFail(t *testing.T) {
	m := load(t)
	for name, st := range m.States {
		terminal := st.Type == "Succeed" || st.Type == "Fail"
		assert.Equal(t, terminal, st.Next == "" && st.Default == "" && !st.End, "%s: only Succeed and Fail may end the machine", name)
		for _, next := range successors(st) {
			assert.Contains(t, m.States, next, "%s moves to a state that does not exist", name)
		}
	}
	// Depth-first search: every state reachable, and no cycle (a cycle could run forever).
	const (
		unseen = iota
		inProgress
		done
	)
	mark := map[string]int{}
	var visit func(string, []string)
	visit = func(name string, path []string) {
		switch mark[name] {
		case inProgress:
			t.Errorf("cycle: %s -> %s", strings.Join(path, " -> "), name)
			return
		case done:
			return
		}
		mark[name] = inProgress
		for _, next := range successors(m.States[name]) {
			visit(next, append(path, name))
		}
		mark[name] = done
	}
	visit(m.StartAt, nil)
	for name := range m.States {
		assert.Equal(t, done, mark[name], "%s is unreachable", name)
	}
}

func TestEachFailedStepIsCompensatedStartingWithItself(t *testing.T) {
	m := load(t)
	firstCompensation := map[string]string{
		RegisterFare:           CancelFare,
		PreAuthorizePayment:    VoidPreAuthorization,
		ChargeFare:             RefundFare,
		CreditCustomerAccount:  ReverseCustomerCredit,
		SetFareStatusCompleted: ReverseCustomerCredit,
	}
	for step, compensation := range firstCompensation {
		catches := m.States[step].Catch
		require.NotEmpty(t, catches, step)
		last := catches[len(catches)-1]
		assert.Equal(t, []string{"States.ALL"}, last.ErrorEquals, "%s: the last Catch must take everything", step)
		assert.Equal(t, compensation, last.Next, step)
		assert.Contains(t, last.Assign, "failure", "%s: compensations need to know what failed", step)
	}
	chain := []string{ReverseCustomerCredit, RefundFare, VoidPreAuthorization, CancelFare, FareOwnedByThisExecution}
	for i := 0; i+1 < len(chain); i++ {
		assert.Equal(t, chain[i+1], m.States[chain[i]].Next, "compensations run in reverse order")
	}
	owned := m.States[FareOwnedByThisExecution]
	require.Len(t, owned.Choices, 1)
	assert.Equal(t, "{% $states.input.outcome in ['NOT_THIS_EXECUTIONS', 'NOT_A_FARE'] %}", owned.Choices[0].Condition)
	assert.Equal(t, FareProcessingFailed, owned.Choices[0].Next, "an execution that owned nothing, or whose input was no fare, announces nothing")
	assert.Equal(t, NotifyFailure, owned.Default)
	assert.Equal(t, FareProcessingFailed, m.States[NotifyFailure].Next)
	assert.Equal(t, FareProcessingFailed, m.States[RegisterFare].Catch[0].Next, "bad input fails at once: nothing to compensate")
	assert.Equal(t, []string{"InvalidFareInput", "FareConflict"}, m.States[RegisterFare].Catch[0].ErrorEquals)
}

// A FareConflict means the fare's records belong to another execution: nothing of them
// is this execution's to undo. At RegisterFare nothing was written yet, so the execution
// just fails; later, its own earlier effects are left for an operator rather than
// compensated next to someone else's records.
func TestFareConflictNeverCompensates(t *testing.T) {
	m := load(t)
	caught := map[string]string{}
	for name, st := range m.States {
		for _, c := range st.Catch {
			if slices.Contains(c.ErrorEquals, "FareConflict") {
				caught[name] = c.Next
			}
		}
	}
	assert.Equal(t, map[string]string{
		RegisterFare:          FareProcessingFailed,
		PreAuthorizePayment:   FareNeedsAttention,
		ChargeFare:            FareNeedsAttention,
		CreditCustomerAccount: FareNeedsAttention,
	}, caught, "every Lambda forward step catches FareConflict before States.ALL, and none into a compensation")
	for name := range caught {
		assert.NotContains(t, m.States[name].Catch[0].ErrorEquals, "States.ALL", name)
	}
}

// Every function learns which execution runs it, so that it touches only that
// execution's fare and records.
func TestEveryFunctionReceivesItsExecution(t *testing.T) {
	m := load(t)
	want := map[string]any{
		"id":        "{% $states.context.Execution.Id %}",
		"name":      "{% $states.context.Execution.Name %}",
		"startTime": "{% $states.context.Execution.StartTime %}",
	}
	for _, fn := range Functions {
		payload, ok := m.States[fn.State].Arguments["Payload"].(map[string]any)
		require.True(t, ok, fn.State)
		assert.Equal(t, want, payload["execution"], fn.State)
	}
	for _, direct := range []string{SetFareStatusCompleted} {
		args := m.States[direct].Arguments
		assert.Contains(t, args["ConditionExpression"], "ownerExecution = :owner", direct)
		values := args["ExpressionAttributeValues"].(map[string]any)
		assert.Equal(t, map[string]any{"S": "{% $states.context.Execution.Id & '@' & $states.context.Execution.StartTime %}"}, values[":owner"], direct)
	}
}

func TestForwardTasksRetryTransientErrorsThenCatchEverything(t *testing.T) {
	m := load(t)
	var transient []string
	for _, err := range steperr.Transient() {
		transient = append(transient, steperr.Name(err))
	}
	for _, name := range forwardSteps {
		st := m.States[name]
		require.NotEmpty(t, st.Retry, name)
		var retried []string
		for _, r := range st.Retry {
			retried = append(retried, r.ErrorEquals...)
			assert.NotContains(t, r.ErrorEquals, "States.ALL", "%s: a forward step must not retry permanent failures", name)
			assert.Equal(t, "FULL", r.JitterStrategy, name)
			assert.Positive(t, r.MaxDelaySeconds, name)
			require.NotNil(t, r.BackoffRate, name)
			assert.Greater(t, *r.BackoffRate, 1.0, name)
		}
		if name == SetFareStatusCompleted {
			assert.Contains(t, retried, "DynamoDB.ProvisionedThroughputExceededException")
			continue
		}
		assert.ElementsMatch(t, append(slices.Clone(lambdaErrors), transient...), retried, name)
	}
}

// A compensation retries everything, and one that still fails fails the execution right
// there, with no Catch: a redrive (the operator's resume) continues from the state that
// failed, so that state must be the compensation itself, not a Fail state after it.
func TestCompensationsRetryEverythingThenStopWhereARedriveResumes(t *testing.T) {
	m := load(t)
	for _, name := range compensations {
		st := m.States[name]
		require.Len(t, st.Retry, 1, name)
		assert.Equal(t, []string{"States.ALL"}, st.Retry[0].ErrorEquals, name)
		assert.GreaterOrEqual(t, *st.Retry[0].MaxAttempts, 5, "%s must try hard to succeed", name)
		assert.Empty(t, st.Catch, "%s: a failed compensation must fail the execution in place", name)
		payload := st.Arguments["Payload"].(map[string]any)
		assert.Equal(t, "{% $states.context.Execution.RedriveCount %}", payload["redriveCount"], name)
	}
}

func TestNothingAfterCompletionUndoesTheFare(t *testing.T) {
	m := load(t)
	notify := m.States[NotifySuccess]
	require.NotEmpty(t, notify.Retry)
	require.Len(t, notify.Catch, 1)
	assert.Equal(t, FareProcessingSucceeded, notify.Catch[0].Next, "a lost notification must not fail a completed fare")
	assert.Equal(t, FareProcessingSucceeded, notify.Next)
}

func TestErrorNamesAreStepErrorsOrBuiltIn(t *testing.T) {
	m := load(t)
	known := map[string]bool{}
	for _, err := range steperr.All() {
		known[steperr.Name(err)] = true
	}
	for name, st := range m.States {
		var names []string
		for _, r := range st.Retry {
			names = append(names, r.ErrorEquals...)
		}
		for _, c := range st.Catch {
			names = append(names, c.ErrorEquals...)
		}
		for _, errName := range names {
			builtIn := strings.HasPrefix(errName, "States.") || strings.HasPrefix(errName, "Lambda.") || strings.HasPrefix(errName, "DynamoDB.")
			assert.True(t, builtIn || known[errName], "%s names %q, which no step returns", name, errName)
		}
	}
}

// worstCase is the longest a Task can take: every attempt running to its timeout, and
// every backoff at its full length (FULL jitter only shortens waits).
func worstCase(st state) float64 {
	attempts, waits := 1, 0.0
	for _, r := range st.Retry {
		interval, rate, max := 1.0, 2.0, 3
		if r.IntervalSeconds != nil {
			interval = *r.IntervalSeconds
		}
		if r.BackoffRate != nil {
			rate = *r.BackoffRate
		}
		if r.MaxAttempts != nil {
			max = *r.MaxAttempts
		}
		attempts += max
		for i := range max {
			wait := interval * math.Pow(rate, float64(i))
			if r.MaxDelaySeconds > 0 {
				wait = math.Min(wait, r.MaxDelaySeconds)
			}
			waits += wait
		}
	}
	return float64(attempts*st.TimeoutSeconds) + waits
}

func TestTimeoutBudgetFitsTheMachineTimeout(t *testing.T) {
	m := load(t)
	for name, st := range m.States {
		if st.Type == "Task" {
			assert.Positive(t, st.TimeoutSeconds, "%s needs a TimeoutSeconds", name)
		}
	}
	for _, fn := range Functions {
		assert.Greater(t, m.States[fn.State].TimeoutSeconds, LambdaTimeoutSeconds, "%s: Lambda must time out first", fn.State)
	}
	// The longest path through the (acyclic) machine, each Task at its worst.
	memo := map[string]float64{}
	var longest func(string) float64
	longest = func(name string) float64 {
		if v, ok := memo[name]; ok {
			return v
		}
		st := m.States[name]
		best := 0.0
		for _, next := range successors(st) {
			best = math.Max(best, longest(next))
		}
		memo[name] = worstCase(st) + best
		return memo[name]
	}
	worst := longest(m.StartAt)
	assert.Less(t, worst, float64(m.TimeoutSeconds), "the machine must not time out while its retries still run")
	assert.Contains(t, m.Comment, fmt.Sprintf("= %g < machine TimeoutSeconds %d", worst, m.TimeoutSeconds),
		"the Comment's arithmetic must match the definition")
}

func TestRenderFillsEveryPlaceholder(t *testing.T) {
	values := map[string]string{}
	for _, key := range SubstitutionKeys() {
		values[key] = "value-of-" + key
	}
	rendered, err := Render(values)
	require.NoError(t, err)
	assert.NotContains(t, rendered, "${")
	var m machine
	require.NoError(t, json.Unmarshal([]byte(rendered), &m), "the rendered definition is still JSON")
	assert.Equal(t, "value-of-RegisterFareFunctionArn", m.States[RegisterFare].Arguments["FunctionName"])

	delete(values, FaresTableName)
	_, err = Render(values)
	assert.EqualError(t, err, "definition needs values for FaresTableName")

	values[FaresTableName] = "Fares"
	values["Surplus"] = "x"
	_, err = Render(values)
	assert.EqualError(t, err, "definition has no placeholder for Surplus")
}

func TestResumePath(t *testing.T) {
	assert.Equal(t, []string{RefundFare, VoidPreAuthorization, CancelFare, FareOwnedByThisExecution, NotifyFailure, FareProcessingFailed}, ResumePath(RefundFare))
	assert.Equal(t, []string{CancelFare, FareOwnedByThisExecution, NotifyFailure, FareProcessingFailed}, ResumePath(CancelFare))
	assert.Equal(t, []string{ChargeFare, CreditCustomerAccount, SetFareStatusCompleted, NotifySuccess, FareProcessingSucceeded}, ResumePath(ChargeFare))
	assert.Equal(t, []string{FareNeedsAttention}, ResumePath(FareNeedsAttention))
	assert.Empty(t, ResumePath(""))
}

func TestIsEnd(t *testing.T) {
	for _, tt := range []struct {
		state string
		end   bool
	}{
		{FareProcessingSucceeded, true}, {FareProcessingFailed, true}, {FareNeedsAttention, true},
		{RegisterFare, false}, {CancelFare, false}, {FareOwnedByThisExecution, false}, {NotifyFailure, false},
		{"", false}, {"NoSuchState", false},
	} {
		assert.Equal(t, tt.end, IsEnd(tt.state), tt.state)
	}
}

func TestIsCompensation(t *testing.T) {
	for _, state := range compensations {
		assert.True(t, IsCompensation(state), state)
	}
	for _, state := range append(forwardSteps, NotifyFailure, FareProcessingFailed, "") {
		assert.False(t, IsCompensation(state), state)
	}
}
