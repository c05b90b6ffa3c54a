package task

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// MockConfig is a Step Functions Local MockConfigFile (the file SFN_MOCK_CONFIG names):
// per state machine, test cases naming a mocked response for some states, and the
// responses by invocation number. It is read-only once parsed.
type MockConfig struct {
	// testCases maps state machine → test case → state → response name.
	testCases map[string]map[string]map[string]string
	// responses maps a response name to its steps, in invocation order, gap-free from 0.
	responses map[string][]mockStep
}

// MockResponse is one mocked answer: Return is the service's response, unless Throw
// fails the task.
type MockResponse struct {
	Return any
	Throw  *MockThrow
}

// MockThrow is a mocked failure.
type MockThrow struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// mockStep answers invocations first to last, inclusive.
type mockStep struct {
	first, last int
	response    MockResponse
}

type rawMockConfig struct {
	StateMachines map[string]struct {
		TestCases map[string]map[string]string `json:"TestCases"`
	} `json:"StateMachines"`
	MockedResponses map[string]map[string]struct {
		Return json.RawMessage `json:"Return"` // nil when absent, "null" for a null Return
		Throw  *MockThrow      `json:"Throw"`
	} `json:"MockedResponses"`
}

// LoadMockConfig reads and parses a MockConfigFile.
func LoadMockConfig(path string) (*MockConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mock config: %w", err)
	}
	return ParseMockConfig(data)
}

// ParseMockConfig parses a MockConfigFile and checks it the way Step Functions Local
// does before an execution uses it: unknown fields, responses with both or neither of
// Return and Throw, ranges that leave gaps or overlap, and test cases naming a
// response that does not exist are errors.
func ParseMockConfig(data []byte) (*MockConfig, error) {
	var raw rawMockConfig
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&raw); err != nil {
		return nil, fmt.Errorf("mock config: %w", err)
	}
	config := &MockConfig{testCases: map[string]map[string]map[string]string{}, responses: map[string][]mockStep{}}
	for name, rawSteps := range raw.MockedResponses {
		var steps []mockStep
		for key, rawStep := range rawSteps {
			first, last, err := parseInvocationRange(key)
			if err != nil {
				return nil, fmt.Errorf("mock config: response %q: %w", name, err)
			}
			response, err := mockResponseFrom(rawStep.Return, rawStep.Throw)
			if err != nil {
				return nil, fmt.Errorf("mock config: response %q, invocations %q: %w", name, key, err)
			}
			steps = append(steps, mockStep{first: first, last: last, response: response})
		}
		if err := checkConsecutive(steps); err != nil {
			return nil, fmt.Errorf("mock config: response %q: %w", name, err)
		}
		config.responses[name] = steps
	}
	for machine, rawMachine := range raw.StateMachines {
		for testCase, states := range rawMachine.TestCases {
			for state, response := range states {
				if _, ok := config.responses[response]; !ok {
					return nil, fmt.Errorf("mock config: state machine %q, test case %q, state %q: no mocked response %q", machine, testCase, state, response)
				}
			}
		}
		config.testCases[machine] = rawMachine.TestCases
	}
	return config, nil
}

// parseInvocationRange reads "3" or "1-3".
func parseInvocationRange(key string) (first, last int, err error) {
	from, to, isRange := strings.Cut(strings.TrimSpace(key), "-")
	first, err = strconv.Atoi(from)
	if err == nil {
		last = first
		if isRange {
			last, err = strconv.Atoi(to)
		}
	}
	if err != nil || first < 0 || last < first {
		return 0, 0, fmt.Errorf("invocation range %q is not \"n\" or \"first-last\" with 0 <= first <= last", key)
	}
	return first, last, nil
}

func mockResponseFrom(ret json.RawMessage, throw *MockThrow) (MockResponse, error) {
	switch {
	case ret != nil && throw != nil:
		return MockResponse{}, fmt.Errorf("a response cannot have both Return and Throw")
	case throw != nil:
		if throw.Error == "" {
			return MockResponse{}, fmt.Errorf("Throw needs an Error")
		}
		return MockResponse{Throw: throw}, nil
	case ret != nil:
		value, err := jsonvalue.Parse(ret)
		if err != nil {
			return MockResponse{}, err
		}
		return MockResponse{Return: value}, nil
	}
	return MockResponse{}, fmt.Errorf("a response needs Return or Throw")
}

// checkConsecutive sorts steps and checks they cover invocations 0..n without gaps.
func checkConsecutive(steps []mockStep) error {
	sort.Slice(steps, func(i, j int) bool { return steps[i].first < steps[j].first })
	next := 0
	for _, step := range steps {
		if step.first != next {
			return fmt.Errorf("invocations must be numbered consecutively from 0: expected %d, found %d", next, step.first)
		}
		next = step.last + 1
	}
	return nil
}

// HasTestCase reports whether the file defines testCase for stateMachine; Step
// Functions Local refuses to start an execution on an unknown one.
func (c *MockConfig) HasTestCase(stateMachine, testCase string) bool {
	_, ok := c.testCases[stateMachine][testCase]
	return ok
}

// Response is the mocked answer for a caller. mocked is false when the caller's test
// case does not list its state, which then calls its integration for real; asking for
// an unknown test case or an invocation past the last mocked one fails.
func (c *MockConfig) Response(caller Caller) (response MockResponse, mocked bool, err error) {
	states, ok := c.testCases[caller.StateMachineName][caller.TestCase]
	if !ok {
		return MockResponse{}, true, failure.New(failure.Runtime,
			"No definitions for test case '%s' and state machine '%s' in the mock configuration file.", caller.TestCase, caller.StateMachineName)
	}
	name, ok := states[caller.StateName]
	if !ok {
		return MockResponse{}, false, nil
	}
	for _, step := range c.responses[name] {
		if caller.Invocation >= step.first && caller.Invocation <= step.last {
			return step.response, true, nil
		}
	}
	return MockResponse{}, true, failure.New(failure.Runtime,
		"No mocked response definition for state '%s' and invocation number '%d'", caller.StateName, caller.Invocation)
}
