package jsonpath

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/conformance"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/require"
)

// conformanceDir holds executions recorded on AWS; it lives outside the project.
const conformanceDir = "../../../shared/conformance/cases"

type recordedCase struct {
	ID            string          `json:"id"`
	QueryLanguage string          `json:"queryLanguage"`
	Definition    json.RawMessage `json:"definition"`
	Input         any             `json:"input"`
	Expect        struct {
		Status string          `json:"status"`
		Output any             `json:"output"`
		Error  *string         `json:"error"`
		Cause  any             `json:"cause"`
		Ignore []string        `json:"ignore"`
		Match  []recordedMatch `json:"match"`
	} `json:"expect"`
}

type recordedMatch struct {
	Path  string `json:"path"`
	Regex string `json:"regex"`
}

// singleState is the one state of the definitions this package can run alone: a Pass
// state (InputPath, Parameters, Result, ResultPath, OutputPath) or a Fail state with
// ErrorPath/CausePath, which exercise paths and intrinsic functions without an
// interpreter.
type singleState struct {
	Type       string
	Parameters any
	Result     *json.RawMessage
	InputPath  *json.RawMessage
	ResultPath *json.RawMessage
	OutputPath *json.RawMessage
	ErrorPath  string
	CausePath  string
	Error      string
	Cause      string
	Assign     map[string]any
	QueryLanguage,
	Comment string
	End  bool
	Next string
}

// TestRecordedExpressions runs every recorded case whose definition is a single
// JSONPath Pass or Fail state and compares the outcome with what AWS produced.
func TestRecordedExpressions(t *testing.T) {
	files, _ := conformance.ExecutionFiles(conformanceDir)
	if len(files) == 0 {
		t.Skipf("no recorded cases under %s: the shared conformance suite is not checked out", conformanceDir)
	}
	byArea := map[string][2]int{}
	for _, file := range files {
		c, name, state, ok := loadSingleStateCase(t, file)
		if !ok || outOfScope(c) {
			continue
		}
		area := filepath.Base(filepath.Dir(file))
		counts := byArea[area]
		counts[1]++
		t.Run(c.ID, func(t *testing.T) {
			status, output, errName, cause := runSingleState(t, name, state, c.Input)
			checkOutcome(t, c, status, output, errName, cause)
			if !t.Failed() {
				counts[0]++
			}
		})
		byArea[area] = counts
	}
	total, passed := 0, 0
	for _, area := range slices.Sorted(maps.Keys(byArea)) {
		counts := byArea[area]
		t.Logf("%-20s %3d of %3d single-state cases match AWS", area, counts[0], counts[1])
		passed += counts[0]
		total += counts[1]
	}
	t.Logf("recorded single-state cases matching AWS: %d of %d", passed, total)
}

func loadSingleStateCase(t *testing.T, file string) (recordedCase, string, singleState, bool) {
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	var c recordedCase
	require.NoError(t, json.Unmarshal(raw, &c))
	var def struct {
		QueryLanguage string
		States        map[string]json.RawMessage
	}
	require.NoError(t, json.Unmarshal(c.Definition, &def))
	if c.QueryLanguage == "JSONata" || def.QueryLanguage == "JSONata" || len(def.States) != 1 {
		return c, "", singleState{}, false
	}
	for name, body := range def.States {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		var s singleState
		if dec.Decode(&s) != nil || s.QueryLanguage == "JSONata" || s.Type != "Pass" && s.Type != "Fail" {
			return c, "", singleState{}, false
		}
		return c, name, s, true
	}
	return c, "", singleState{}, false
}

// outOfScope leaves out what the interpreter checks, not this package: the size limit
// on a state's output.
func outOfScope(c recordedCase) bool {
	return c.Expect.Error != nil && *c.Expect.Error == failure.DataLimitExceeded
}

// runSingleState plays the state's data flow as the interpreter would.
func runSingleState(t *testing.T, name string, s singleState, input any) (status string, output any, errName, cause string) {
	input = jsonvalue.FromGo(input)
	env := &Env{Context: jsonvalue.FromGo(recordedContext(name, input)), Vars: Vars{}}
	out, err := func() (any, error) {
		if s.Type == "Fail" {
			return nil, failState(t, s, input, env)
		}
		effective, err := ApplyInputPath(optionalPath(t, s.InputPath, Compile), input, env)
		if err != nil {
			return nil, err
		}
		result := effective
		if s.Parameters != nil {
			tmpl, err := CompileTemplate(jsonvalue.FromGo(s.Parameters))
			require.NoError(t, err)
			if result, err = tmpl.Eval(effective, env); err != nil {
				return nil, err
			}
		}
		if s.Result != nil {
			parsed, err := jsonvalue.Parse(*s.Result)
			require.NoError(t, err)
			result = parsed
		}
		if s.Assign != nil {
			a, err := CompileAssign(jsonvalue.FromGo(s.Assign).(*jsonvalue.Object))
			require.NoError(t, err)
			if _, err := a.Eval(result, env); err != nil {
				return nil, err
			}
		}
		placed, err := ApplyResultPath(optionalPath(t, s.ResultPath, CompileReference), input, result)
		if err != nil {
			return nil, err
		}
		return ApplyOutputPath(optionalPath(t, s.OutputPath, Compile), placed, env)
	}()
	if err != nil {
		f := failure.As(err)
		if f.Name == failure.Runtime || strings.HasPrefix(f.Name, "States.") {
			return "FAILED", nil, f.Name, "An error occurred while executing the state '" + name + "' (entered at the event id #2). " + f.Cause
		}
		return "FAILED", nil, f.Name, f.Cause
	}
	return "SUCCEEDED", jsonvalue.ToGo(out), "", ""
}

// failState raises the Fail state's error, its names evaluated from ErrorPath/CausePath.
func failState(t *testing.T, s singleState, input any, env *Env) error {
	pick := func(field, path, literal string) (string, error) {
		if path == "" {
			return literal, nil
		}
		expr, err := CompileExpression(path)
		require.NoError(t, err)
		v, err := expr.Eval(field, input, env)
		if err != nil {
			return "", err
		}
		text, _ := v.(string)
		return text, nil
	}
	errName, err := pick("ErrorPath", s.ErrorPath, s.Error)
	if err != nil {
		return err
	}
	cause, err := pick("CausePath", s.CausePath, s.Cause)
	if err != nil {
		return err
	}
	return &failure.Error{Name: errName, Cause: cause}
}

// optionalPath compiles an I/O path field: absent is "$", null is nil.
func optionalPath(t *testing.T, raw *json.RawMessage, compile func(string) (*Path, error)) *Path {
	if raw == nil {
		return Root
	}
	var text *string
	require.NoError(t, json.Unmarshal(*raw, &text))
	if text == nil {
		return nil
	}
	p, err := compile(*text)
	require.NoError(t, err)
	return p
}

func recordedContext(stateName string, input any) map[string]any {
	const machine = "arn:aws:states:us-east-1:111111111111:stateMachine:conformance-machine"
	return map[string]any{
		"Execution": map[string]any{
			"Id":           "arn:aws:states:us-east-1:111111111111:execution:conformance-machine:run-1",
			"Input":        input,
			"Name":         "run-1",
			"RoleArn":      "arn:aws:iam::111111111111:role/conformance",
			"StartTime":    "2024-01-02T03:04:05.678Z",
			"RedriveCount": 0.0,
		},
		"StateMachine": map[string]any{"Id": machine, "Name": "conformance-machine"},
		"State":        map[string]any{"Name": stateName, "EnteredTime": "2024-01-02T03:04:05.789Z", "RetryCount": 0.0},
	}
}

func checkOutcome(t *testing.T, c recordedCase, status string, output any, errName, cause string) {
	got := map[string]any{"status": status, "output": output, "error": errName, "cause": cause}
	want := map[string]any{"status": c.Expect.Status, "output": c.Expect.Output, "error": "", "cause": ""}
	if c.Expect.Status != "SUCCEEDED" {
		want["output"] = nil
		if c.Expect.Error != nil {
			want["error"] = *c.Expect.Error
		}
		if s, ok := c.Expect.Cause.(string); ok {
			want["cause"] = s
		} else if c.Expect.Cause != nil {
			want["cause"] = jsonText(c.Expect.Cause)
		}
	}
	for _, pointer := range c.Expect.Ignore {
		setPointer(got, pointer, "<ignored>")
		setPointer(want, pointer, "<ignored>")
	}
	for _, m := range c.Expect.Match {
		actual, _ := getPointer(got, m.Path).(string)
		if regexp.MustCompile(m.Regex).MatchString(actual) {
			setPointer(got, m.Path, "<matched>")
		}
		setPointer(want, m.Path, "<matched>")
	}
	if !reflect.DeepEqual(normalizeNumbers(want), normalizeNumbers(got)) {
		t.Errorf("outcome differs from AWS\nwant %.500s\ngot  %.500s", jsonText(want), jsonText(got))
	}
}

// normalizeNumbers makes -0 and 0 equal, as JSON comparison does.
func normalizeNumbers(v any) any {
	var out any
	_ = json.Unmarshal([]byte(strings.ReplaceAll(jsonText(v), "-0,", "0,")), &out)
	return out
}

func pointerTokens(pointer string) []string {
	parts := strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	for i, p := range parts {
		parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
	}
	return parts
}

func getPointer(doc any, pointer string) any {
	for _, tok := range pointerTokens(pointer) {
		switch d := doc.(type) {
		case map[string]any:
			doc = d[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) {
				return nil
			}
			doc = d[i]
		default:
			return nil
		}
	}
	return doc
}

func setPointer(doc any, pointer string, value any) {
	tokens := pointerTokens(pointer)
	parent := getPointer(doc, "/"+strings.Join(tokens[:len(tokens)-1], "/"))
	if len(tokens) == 1 {
		parent = doc
	}
	last := tokens[len(tokens)-1]
	switch p := parent.(type) {
	case map[string]any:
		if _, ok := p[last]; ok {
			p[last] = value
		}
	case []any:
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < len(p) {
			p[i] = value
		}
	}
}
