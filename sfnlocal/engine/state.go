package engine

import (
	"sync/atomic"

	"fmt"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/history"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// state is a compiled state. The fields of the other query language stay nil.
type state struct {
	*asl.State
	jsonata bool
	// enteredEvent and exitedEvent are its history events' types: TaskStateEntered...
	enteredEvent, exitedEvent string
	enteredKind, exitedKind   history.Kind
	// entered and exited are the details of its events when the input is a value (not
	// the execution's input text) and no variable is assigned: the same every time, so
	// shared by every run of the state (the history copies details as it renders them).
	entered *history.StateEnteredDetails
	exited  *history.StateExitedDetails
	// lambdaScheduled is the details of its last LambdaFunctionScheduled event, reused
	// while the function and timeout stay the same.
	lambdaScheduled atomic.Pointer[history.LambdaScheduledDetails]
	// resource is its Task resource, parsed on first use.
	resource atomic.Pointer[task.Resource]
	// index numbers the state in its machine.
	index int

	// JSONPath I/O: nil paths mean the field was null.
	inputPath, outputPath, resultPath *jsonpath.Path
	parameters, resultSelector        *jsonpath.Template
	pathAssign                        *jsonpath.Assignment
	result                            any // Pass Result
	hasResult                         bool

	// JSONata I/O.
	arguments, output, assign *jsonata.Template

	catchers []*catcher
	choices  []*choiceRule

	// Dynamic fields.
	timeout, heartbeat, seconds, maxConcurrency, toleratedCount *dynamic
	timestamp, errorName, cause, toleratedPercent               *dynamic

	// Parallel and Map.
	branches     []*scope
	processor    *scope
	itemsPath    *jsonpath.Path
	items        *jsonata.Template
	itemSelector *jsonpath.Template
	itemSelect   *jsonata.Template
}

// catcher is a compiled Catch entry.
type catcher struct {
	asl.Catcher
	resultPath *jsonpath.Path
	pathAssign *jsonpath.Assignment
	output     *jsonata.Template
	assign     *jsonata.Template
}

func compileState(s *asl.State, count *int) (*state, error) {
	*count++
	st := &state{State: s, jsonata: s.QueryLanguage == asl.JSONata, index: *count - 1,
		enteredEvent: history.Entered(string(s.Type)), exitedEvent: history.Exited(string(s.Type)),
		enteredKind: history.KindOf(history.Entered(string(s.Type))), exitedKind: history.KindOf(history.Exited(string(s.Type))),
		entered: &history.StateEnteredDetails{Name: s.Name, InputDetails: history.NotTruncated},
		exited:  &history.StateExitedDetails{Name: s.Name, OutputDetails: history.NotTruncated}}
	var err error
	if st.jsonata {
		err = st.compileJSONata()
	} else {
		err = st.compileJSONPath()
	}
	if err != nil {
		return nil, err
	}
	for _, c := range s.Catch {
		compiled, err := compileCatcher(c, st.jsonata)
		if err != nil {
			return nil, err
		}
		st.catchers = append(st.catchers, compiled)
	}
	if err := st.compileDynamicFields(); err != nil {
		return nil, err
	}
	for _, rule := range s.Choices {
		compiled, err := compileChoiceRule(rule, st.jsonata)
		if err != nil {
			return nil, err
		}
		st.choices = append(st.choices, compiled)
	}
	for _, branch := range s.Branches {
		sc, err := compileScope(branch, count)
		if err != nil {
			return nil, err
		}
		st.branches = append(st.branches, sc)
	}
	if s.ItemProcessor != nil {
		if st.processor, err = compileScope(s.ItemProcessor, count); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (st *state) compileJSONPath() (err error) {
	if st.inputPath, err = optionalPath(st.InputPath, false); err != nil {
		return fmt.Errorf("InputPath: %w", err)
	}
	if st.outputPath, err = optionalPath(st.OutputPath, false); err != nil {
		return fmt.Errorf("OutputPath: %w", err)
	}
	if st.resultPath, err = optionalPath(st.ResultPath, true); err != nil {
		return fmt.Errorf("ResultPath: %w", err)
	}
	if st.parameters, err = pathTemplate(st.Parameters); err != nil {
		return fmt.Errorf("Parameters: %w", err)
	}
	if st.resultSelector, err = pathTemplate(st.ResultSelector); err != nil {
		return fmt.Errorf("ResultSelector: %w", err)
	}
	if st.pathAssign, err = pathAssign(st.Assign); err != nil {
		return fmt.Errorf("Assign: %w", err)
	}
	if st.result, st.hasResult, err = decode(st.Result); err != nil {
		return fmt.Errorf("Result: %w", err)
	}
	if st.Type == asl.TypeMap {
		items := st.ItemsPath
		if items == "" {
			items = "$"
		}
		if st.itemsPath, err = jsonpath.Compile(items); err != nil {
			return fmt.Errorf("ItemsPath: %w", err)
		}
		if st.itemSelector, err = pathTemplate(st.ItemSelector); err != nil {
			return fmt.Errorf("ItemSelector: %w", err)
		}
		if st.itemSelector == nil && st.Parameters != nil {
			// The older Map field: Parameters shapes each item, not the Map's input.
			st.itemSelector, st.parameters = st.parameters, nil
		}
	}
	return nil
}

func (st *state) compileJSONata() (err error) {
	if st.arguments, err = jsonataTemplate(st.Arguments, "Arguments"); err != nil {
		return err
	}
	if st.output, err = jsonataTemplate(st.Output, "Output"); err != nil {
		return err
	}
	if st.assign, err = jsonataTemplate(st.Assign, "Assign"); err != nil {
		return err
	}
	if st.Type == asl.TypeMap {
		if st.items, err = jsonataTemplate(st.Items, "Items"); err != nil {
			return err
		}
		if st.itemSelect, err = jsonataTemplate(st.ItemSelector, "ItemSelector"); err != nil {
			return err
		}
	}
	return nil
}

func compileCatcher(c asl.Catcher, isJSONata bool) (*catcher, error) {
	compiled := &catcher{Catcher: c}
	var err error
	if isJSONata {
		if compiled.output, err = jsonataTemplate(c.Output, "Output"); err != nil {
			return nil, err
		}
		if compiled.assign, err = jsonataTemplate(c.Assign, "Assign"); err != nil {
			return nil, err
		}
		return compiled, nil
	}
	if compiled.resultPath, err = optionalPath(c.ResultPath, true); err != nil {
		return nil, fmt.Errorf("Catch ResultPath: %w", err)
	}
	if compiled.pathAssign, err = pathAssign(c.Assign); err != nil {
		return nil, fmt.Errorf("Catch Assign: %w", err)
	}
	return compiled, nil
}

func (st *state) compileDynamicFields() error {
	fields := []struct {
		target **dynamic
		name   string
		value  func() (*dynamic, error)
	}{
		{&st.timeout, "TimeoutSeconds", func() (*dynamic, error) { return compileDynamic(st.TimeoutSeconds, st.jsonata) }},
		{&st.heartbeat, "HeartbeatSeconds", func() (*dynamic, error) { return compileDynamic(st.HeartbeatSeconds, st.jsonata) }},
		{&st.seconds, "Seconds", func() (*dynamic, error) { return compileDynamic(st.Seconds, st.jsonata) }},
		{&st.timestamp, "Timestamp", func() (*dynamic, error) { return compileDynamic(st.Timestamp, st.jsonata) }},
		{&st.errorName, "Error", func() (*dynamic, error) { return compileDynamic(st.Error, st.jsonata) }},
		{&st.cause, "Cause", func() (*dynamic, error) { return compileDynamic(st.Cause, st.jsonata) }},
		{&st.maxConcurrency, "MaxConcurrency", func() (*dynamic, error) { return compileDynamic(st.MaxConcurrency, st.jsonata) }},
		{&st.toleratedCount, "ToleratedFailureCount", func() (*dynamic, error) { return compileDynamic(st.ToleratedFailureCount, st.jsonata) }},
		{&st.toleratedPercent, "ToleratedFailurePercentage", func() (*dynamic, error) {
			return compileDynamic(st.ToleratedFailurePercentage, st.jsonata)
		}},
	}
	for _, f := range fields {
		d, err := f.value()
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if d != nil {
			d.field = f.name
		}
		*f.target = d
	}
	return nil
}
