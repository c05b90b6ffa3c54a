// Package conformance reads the Step Functions behaviour recorded on AWS (the suite in
// ../shared/conformance beside the checkout) and scores a result against it. It holds
// the comparison rules only; the cases themselves stay where they are.
package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Case is one recorded execution.
type Case struct {
	ID               string          `json:"id"`
	Area             string          `json:"area"`
	QueryLanguage    string          `json:"queryLanguage"`
	StateMachineName string          `json:"stateMachineName"`
	Definition       json.RawMessage `json:"definition"`
	Input            json.RawMessage `json:"input"`
	Expect           Expectation     `json:"expect"`
	Events           []Event         `json:"events"`
	EventsOrder      string          `json:"eventsOrder"`
	Mock             *struct {
		TestCase string `json:"testCase"`
	} `json:"mock"`
	File string `json:"-"`
}

// Expectation is what AWS did.
type Expectation struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  *string         `json:"error"`
	Cause  json.RawMessage `json:"cause"`
	Ignore []string        `json:"ignore"`
	Match  []struct {
		Path  string `json:"path"`
		Regex string `json:"regex"`
	} `json:"match"`
}

// Event is a (type, state name) pair of the recorded history.
type Event struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

// Dir finds the suite's cases folder from a package directory, "" when it is absent.
func Dir() string {
	for _, candidate := range []string{"../../../shared/conformance/cases", "../../shared/conformance/cases", "../shared/conformance/cases"} {
		if info, err := os.Stat(candidate); err == nil && info.IsDir() {
			return candidate
		}
	}
	return ""
}

// MockConfigFile is the suite's mocked Lambda responses, next to the cases.
func MockConfigFile(casesDir string) string {
	return filepath.Join(filepath.Dir(casesDir), "mockconfig.json")
}

// TestStateArea holds TestState API calls rather than executions: no definition to run,
// a request and its recorded answer instead.
const TestStateArea = "test_state"

// ExecutionFiles lists the files of every recorded execution under dir, sorted by name,
// leaving out the TestState calls.
func ExecutionFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		return nil, err
	}
	files = slices.DeleteFunc(files, func(f string) bool { return filepath.Base(filepath.Dir(f)) == TestStateArea })
	sort.Strings(files)
	return files, nil
}

// Load reads every recorded execution under dir, sorted by file name.
func Load(dir string) ([]Case, error) {
	files, err := ExecutionFiles(dir)
	if err != nil {
		return nil, err
	}
	cases := make([]Case, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var c Case
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		c.File = f
		cases = append(cases, c)
	}
	return cases, nil
}

// Outcome is what an engine did with a case.
type Outcome struct {
	Status string
	Output string // JSON, when SUCCEEDED
	Error  string
	Cause  string
	Events []Event
}

// CheckOutcome returns "" when the outcome matches AWS's, else the reason it does not.
func (c *Case) CheckOutcome(got Outcome) string {
	if got.Status != c.Expect.Status {
		return fmt.Sprintf("status %s, want %s (error %s: %.200s)", got.Status, c.Expect.Status, got.Error, got.Cause)
	}
	if got.Status == "SUCCEEDED" {
		var want, have any
		if err := json.Unmarshal(c.Expect.Output, &want); err != nil {
			return "bad expected output"
		}
		if err := json.Unmarshal([]byte(got.Output), &have); err != nil {
			return "output is not JSON: " + got.Output
		}
		if reason := c.compare("/output", want, have); reason != "" {
			return reason
		}
		return ""
	}
	if c.Expect.Error != nil && *c.Expect.Error != got.Error {
		return fmt.Sprintf("error %q, want %q (cause %.200s)", got.Error, *c.Expect.Error, got.Cause)
	}
	if len(c.Expect.Cause) > 0 && string(c.Expect.Cause) != "null" {
		var want any
		_ = json.Unmarshal(c.Expect.Cause, &want)
		if text, isText := want.(string); isText {
			if text != got.Cause {
				return fmt.Sprintf("cause %q, want %q", got.Cause, text)
			}
			return ""
		}
		var have any
		if err := json.Unmarshal([]byte(got.Cause), &have); err != nil {
			return fmt.Sprintf("cause %q is not the JSON %s", got.Cause, c.Expect.Cause)
		}
		return c.compare("/cause", want, have)
	}
	return ""
}

// CheckEvents returns "" when the (type, name) events match AWS's, "" also when none were
// recorded.
func (c *Case) CheckEvents(got []Event) string {
	if c.Events == nil || c.EventsOrder == "none" {
		return ""
	}
	if c.EventsOrder == "unordered" {
		if len(got) != len(c.Events) || len(got) == 0 || got[0] != c.Events[0] || got[len(got)-1] != c.Events[len(c.Events)-1] {
			return fmt.Sprintf("events %v, want %v", got, c.Events)
		}
		count := map[Event]int{}
		for _, e := range c.Events {
			count[e]++
		}
		for _, e := range got {
			count[e]--
		}
		for e, n := range count {
			if n != 0 {
				return fmt.Sprintf("event %v off by %d", e, n)
			}
		}
		return ""
	}
	if !reflect.DeepEqual(got, c.Events) {
		return fmt.Sprintf("events %v, want %v", got, c.Events)
	}
	return ""
}

// compare compares JSON values, skipping the pointers the case ignores and matching
// those it gives a pattern for.
func (c *Case) compare(at string, want, have any) string {
	for _, ignored := range c.Expect.Ignore {
		if ignored == at {
			return ""
		}
	}
	for _, m := range c.Expect.Match {
		if m.Path == at {
			s, ok := have.(string)
			if !ok || !regexp.MustCompile("^(?:"+m.Regex+")$").MatchString(s) {
				return fmt.Sprintf("%s = %v does not match %s", at, have, m.Regex)
			}
			return ""
		}
	}
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s = %s, want %s", at, short(have), short(want))
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range h {
			keys[k] = true
		}
		for k := range keys {
			if reason := c.compare(at+"/"+escape(k), w[k], h[k]); reason != "" {
				if _, present := h[k]; !present {
					return fmt.Sprintf("%s/%s missing", at, k)
				}
				return reason
			}
		}
		return ""
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return fmt.Sprintf("%s = %s, want %s", at, short(have), short(want))
		}
		for i := range w {
			if reason := c.compare(at+"/"+strconv.Itoa(i), w[i], h[i]); reason != "" {
				return reason
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, have) {
		return fmt.Sprintf("%s = %s, want %s", at, short(have), short(want))
	}
	return ""
}

func escape(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

func short(v any) string {
	raw, _ := json.Marshal(v)
	if len(raw) > 200 {
		return string(raw[:200]) + "..."
	}
	return string(raw)
}
