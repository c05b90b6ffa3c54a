package jsonata

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/conformance"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// conformanceCases is the AWS-recorded suite shared beside the repository.
const conformanceCases = "../../../shared/conformance/cases"

// recordedCase holds the parts of a conformance case this package can check on its own.
type recordedCase struct {
	ID         string `json:"id"`
	Definition struct {
		QueryLanguage string
		StartAt       string
		States        map[string]map[string]any
	} `json:"definition"`
	Input  any `json:"input"`
	Expect struct {
		Status string `json:"status"`
		Output any    `json:"output"`
		Error  string `json:"error"`
		Cause  any    `json:"cause"`
	} `json:"expect"`
}

// singleJSONataState returns the only state of a JSONata machine, or false: with one state,
// the state's input is the execution input and no variables are in scope, so the fields can be
// evaluated without an interpreter.
func (c recordedCase) singleJSONataState() (map[string]any, bool) {
	if len(c.Definition.States) != 1 {
		return nil, false
	}
	st := c.Definition.States[c.Definition.StartAt]
	lang, _ := st["QueryLanguage"].(string)
	if lang == "" {
		lang = c.Definition.QueryLanguage
	}
	raw, _ := json.Marshal(st)
	return st, lang == "JSONata" && !strings.Contains(string(raw), "$states.context")
}

// checkable picks the outcomes this package decides alone: a Pass state's output, and the
// failures of an expression itself (other recorded failures, such as a Map's Items of the
// wrong type, are the interpreter's).
func (c recordedCase) checkable(state map[string]any) bool {
	switch {
	case c.Expect.Status == "SUCCEEDED":
		return state["Type"] == "Pass"
	case c.Expect.Error == failure.QueryEvaluationError && (state["Type"] == "Pass" || state["Type"] == "Task"):
		cause, _ := c.Expect.Cause.(string)
		return strings.HasSuffix(cause, "returned nothing (undefined).") || strings.HasSuffix(cause, "returned an unsupported result type.")
	}
	return false
}

// evaluateFields evaluates the state's data fields in AWS's order and returns the Output.
func evaluateFields(state map[string]any, input any) (any, error) {
	output := input
	for _, field := range []string{"Arguments", "Assign", "Output"} {
		value, ok := state[field]
		if !ok {
			continue
		}
		tpl, err := CompileTemplate(jsonvalue.FromGo(value), InField(field))
		if err != nil {
			return nil, err
		}
		v, err := tpl.Evaluate(Bindings{States: map[string]any{"input": jsonvalue.FromGo(input)}})
		if err != nil {
			return nil, err
		}
		if field == "Output" {
			output = v
		}
	}
	return output, nil
}

func TestConformanceSingleStateExpressions(t *testing.T) {
	files, _ := conformance.ExecutionFiles(conformanceCases)
	if len(files) == 0 {
		t.Skipf("no conformance cases at %s: the shared suite is not checked out beside the repository", conformanceCases)
	}
	agreed, total := 0, 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var c recordedCase
		require.NoError(t, json.Unmarshal(raw, &c), file)
		state, ok := c.singleJSONataState()
		if !ok || !c.checkable(state) {
			continue
		}
		total++
		got, err := evaluateFields(state, c.Input)
		if c.Expect.Status == "SUCCEEDED" {
			if assert.NoError(t, err, c.ID) && assert.Equal(t, c.Expect.Output, jsonvalue.ToGo(got), c.ID) {
				agreed++
			}
			continue
		}
		cause, _ := c.Expect.Cause.(string)
		if assert.Error(t, err, c.ID) && assert.True(t, strings.HasSuffix(cause, failure.As(err).Cause), "%s\nwant …%s\ngot  %s", c.ID, cause, failure.As(err).Cause) {
			agreed++
		}
	}
	t.Logf("conformance: %d of %d single-state JSONata cases agree with AWS", agreed, total)
}
