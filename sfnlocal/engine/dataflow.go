package engine

import (
	"encoding/json"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// The data flow of a state, per query language. JSONPath: InputPath, Parameters, the
// work, ResultSelector, ResultPath, OutputPath, with Assign reading the result.
// JSONata: Arguments, the work, then Output and Assign, which see the variables as they
// were before the state assigns any.

// applyInputPath sets the input the state works on.
func (r *stateRun) applyInputPath() error {
	if r.st.jsonata {
		r.input = r.rawInput
		return nil
	}
	input, err := jsonpath.ApplyInputPath(r.st.inputPath, r.rawInput, r.pathEnv())
	r.input = input
	if err == nil {
		r.inspect.setText("afterInputPath", input)
	}
	return evaluating(err)
}

// payload is what the state hands its work: a Task's arguments, a Pass state's result.
// JSONPath: Parameters over the input (or the input itself); JSONata: Arguments (or
// the input itself).
func (r *stateRun) payload() (any, error) {
	if r.st.jsonata {
		if r.st.arguments == nil {
			return r.rawInput, nil
		}
		v, err := r.st.arguments.Evaluate(r.bindings("", nil))
		if err == nil {
			r.inspect.setText("afterArguments", v)
		}
		return v, evaluating(err)
	}
	if r.st.parameters == nil {
		r.inspect.setText("afterParameters", r.input)
		return r.input, nil
	}
	v, err := r.st.parameters.Eval(r.input, r.pathEnv())
	if err == nil {
		r.inspect.setText("afterParameters", v)
	}
	return v, evaluating(err)
}

// finish turns the work's result into the state's output and the variables it assigns.
func (r *stateRun) finish(result any) (any, *jsonvalue.Object, error) {
	if r.st.jsonata {
		return r.finishJSONata(r.st.output, r.st.assign, "result", result, result)
	}
	env := r.pathEnv()
	if r.st.resultSelector != nil {
		selected, err := r.st.resultSelector.Eval(result, env)
		if err != nil {
			return nil, nil, evaluating(err)
		}
		result = selected
	}
	r.inspect.setText("afterResultSelector", result)
	assigned, err := r.assignJSONPath(r.st.pathAssign, result)
	if err != nil {
		return nil, nil, err
	}
	output, err := jsonpath.ApplyResultPath(r.st.resultPath, r.rawInput, result)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	r.inspect.setText("afterResultPath", output)
	output, err = jsonpath.ApplyOutputPath(r.st.outputPath, output, env)
	return output, assigned, evaluating(err)
}

// passThrough is finish for states without work (Wait, Succeed, Choice): the output is
// the input, through OutputPath or Output.
func (r *stateRun) passThrough(output, assign *jsonata.Template, pathAssign *jsonpath.Assignment) (any, *jsonvalue.Object, error) {
	if r.st.jsonata {
		return r.finishJSONata(output, assign, "", nil, r.rawInput)
	}
	assigned, err := r.assignJSONPath(pathAssign, r.input)
	if err != nil {
		return nil, nil, err
	}
	out, err := jsonpath.ApplyOutputPath(r.st.outputPath, r.input, r.pathEnv())
	return out, assigned, evaluating(err)
}

// caught is the output of a Catch: the error output placed by ResultPath into the raw
// input (JSONPath), or the catcher's Output (JSONata, the error output by default).
func (r *stateRun) caught(c *catcher, f *failure.Error) (any, *jsonvalue.Object, error) {
	errorOutput := errorObject(f)
	var output any
	var assigned *jsonvalue.Object
	var err error
	if r.st.jsonata {
		output, assigned, err = r.finishJSONata(c.output, c.assign, "errorOutput", errorOutput, errorOutput)
	} else if assigned, err = r.assignJSONPath(c.pathAssign, errorOutput); err == nil {
		output, err = jsonpath.ApplyResultPath(c.resultPath, r.rawInput, errorOutput)
		err = evaluating(err)
	}
	if err != nil {
		return nil, nil, r.t.explain(r, err)
	}
	return output, assigned, nil
}

// finishJSONata evaluates Output and Assign with $states.<extraKey> bound to extra (the
// result or the error output, when extraKey is set).
func (r *stateRun) finishJSONata(output, assign *jsonata.Template, extraKey string, extra, fallback any) (any, *jsonvalue.Object, error) {
	if output == nil && assign == nil {
		return fallback, nil, nil
	}
	b := r.bindings(extraKey, extra)
	var assigned *jsonvalue.Object
	if assign != nil {
		v, err := assign.Evaluate(b)
		if err != nil {
			return nil, nil, evaluating(err)
		}
		object, ok := v.(*jsonvalue.Object)
		if !ok {
			return nil, nil, evaluating(failure.New(failure.QueryEvaluationError, "Assign must evaluate to an object, got %s", intrinsic.JSONText(v)))
		}
		assigned = object
	}
	if output == nil {
		return fallback, assigned, nil
	}
	out, err := output.Evaluate(b)
	if err != nil {
		return nil, nil, evaluating(err)
	}
	return out, assigned, nil
}

func (r *stateRun) assignJSONPath(a *jsonpath.Assignment, value any) (*jsonvalue.Object, error) {
	if a == nil {
		return nil, nil
	}
	assigned, err := a.Eval(value, r.pathEnv())
	return assigned, evaluating(err)
}

// evaluateItems returns a Map's items: ItemsPath over the input, or Items (JSONata).
func (r *stateRun) evaluateItems() ([]any, error) {
	var v any
	var err error
	switch {
	case r.st.jsonata && r.st.items != nil:
		v, err = r.st.items.Evaluate(r.bindings("", nil))
	case r.st.jsonata:
		v = r.rawInput
	default:
		v, err = r.st.itemsPath.Eval(r.input, r.pathEnv())
	}
	if err != nil {
		return nil, evaluating(err)
	}
	items, ok := v.([]any)
	switch {
	case ok:
		return items, nil
	case r.st.jsonata && r.st.items != nil:
		return nil, evaluating(failure.New(failure.QueryEvaluationError,
			"The JSONata expression '%s' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '%s' for value: %s",
			jsonataSource(r.st.Items), jsonTypeName(v), intrinsic.JSONText(v)))
	}
	name := failure.Runtime
	if r.st.jsonata {
		name = failure.QueryEvaluationError
	}
	return nil, evaluating(failure.New(name, "Map state input must be an array but was: %s", intrinsic.JSONText(v)))
}

// itemInput is the input of one Map iteration: the item through ItemSelector, which
// reads the item from the context object ($$.Map.Item.Value, $states.context.Map...).
func (r *stateRun) itemInput(item any, index int) (any, error) {
	itemContext := mapItem(index, item)
	switch {
	case r.st.jsonata && r.st.itemSelect != nil:
		// Iterations run concurrently on the one stateRun: bind, never assign, the item.
		b := r.bindings("", nil)
		b.States["context"] = withMapItem(r.context, itemContext)
		v, err := r.st.itemSelect.Evaluate(b)
		return v, evaluating(err)
	case !r.st.jsonata && r.st.itemSelector != nil:
		env := *r.pathEnv()
		env.Context = withMapItem(r.context, itemContext)
		v, err := r.st.itemSelector.Eval(r.input, &env)
		return v, evaluating(err)
	}
	return item, nil
}

// mapItem is the context object's Map.Item of an iteration.
func mapItem(index int, value any) *jsonvalue.Object {
	return jsonvalue.ObjectOf("Index", float64(index), "Value", value)
}

func withMapItem(context *jsonvalue.Object, item *jsonvalue.Object) *jsonvalue.Object {
	return context.With("Map", jsonvalue.ObjectOf("Item", item))
}

// errorObject is the error output a Catch hands on.
func errorObject(f *failure.Error) *jsonvalue.Object {
	return jsonvalue.ObjectOf("Error", f.Name, "Cause", f.Cause)
}

// jsonataSource is the expression inside a raw "{% ... %}" field, as AWS quotes it.
func jsonataSource(raw []byte) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{%"), "%}")
	return strings.TrimSpace(s)
}
