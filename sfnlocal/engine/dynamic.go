package engine

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/asl"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/intrinsic"
	"github.com/faresaga/faresaga/sfnlocal/jsonata"
	"github.com/faresaga/faresaga/sfnlocal/jsonpath"
)

// dynamic is a field given as a literal, read by its "...Path" twin from the state's
// input, or computed by a JSONata expression. Each kind of field checks its value with
// the wording AWS uses, which differs from field to field.
type dynamic struct {
	field    string
	literal  any
	pathText string
	path     *jsonpath.Expression
	exprText string
	expr     *jsonata.Template
}

func compileDynamic[T any](v asl.Value[T], isJSONata bool) (*dynamic, error) {
	switch v.Kind {
	case asl.ValueLiteral:
		return &dynamic{literal: v.Literal}, nil
	case asl.ValuePath:
		expr, err := jsonpath.CompileExpression(v.Path)
		if err != nil {
			return nil, err
		}
		return &dynamic{path: expr, pathText: v.Path}, nil
	case asl.ValueExpression:
		t, err := jsonata.CompileTemplate("{%"+v.Expression+"%}", jsonata.InField(""))
		if err != nil {
			return nil, err
		}
		return &dynamic{expr: t, exprText: strings.TrimSpace(v.Expression)}, nil
	}
	return nil, nil
}

// value evaluates the field for a run of its state; a nil dynamic is an absent field.
func (d *dynamic) value(r *stateRun) (any, bool, error) {
	switch {
	case d == nil:
		return nil, false, nil
	case d.path != nil:
		v, err := d.path.Eval(d.field+"Path", r.input, r.pathEnv())
		return v, true, err
	case d.expr != nil:
		v, err := d.expr.Evaluate(r.bindings("", nil))
		return v, true, err
	}
	return d.literal, true, nil
}

// evaluationFailure names a bad value's failure: QueryEvaluationError when JSONata
// computed it, States.Runtime otherwise.
func (d *dynamic) evaluationFailure(format string, args ...any) error {
	if d.expr != nil {
		return failure.New(failure.QueryEvaluationError, format, args...)
	}
	return failure.New(failure.Runtime, format, args...)
}

// whole is v as a whole number, accepting the numeric strings AWS accepts.
func whole(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < math.MaxInt64 {
			return int64(n), true
		}
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func real(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// quoted is a value as AWS quotes it in "refers to value ..." messages.
func quoted(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return strconv.Quote(intrinsic.JSONText(v))
}

// pathMissing is AWS's failure for a *SecondsPath that selects nothing.
func (d *dynamic) pathMissing(err error) error {
	if d == nil || d.path == nil || !strings.HasSuffix(d.field, "Seconds") {
		return err
	}
	if f := failure.As(err); f.Name == failure.Runtime {
		return failure.New(failure.Runtime, "Invalid path '%s' : No results for path: %s", d.pathText, bracketPath(d.pathText))
	}
	return err
}

// taskSeconds evaluates TimeoutSeconds or HeartbeatSeconds.
func (d *dynamic) taskSeconds(r *stateRun) (int64, error) {
	v, ok, err := d.value(r)
	if err != nil || !ok {
		return 0, d.pathMissing(err)
	}
	n, isWhole := whole(v)
	if !isWhole || n <= 0 {
		return 0, d.evaluationFailure("The %s value '%s' is not a positive integer", d.field, intrinsic.JSONText(v))
	}
	return n, nil
}

// waitSeconds evaluates a Wait state's Seconds.
func (d *dynamic) waitSeconds(r *stateRun) (time.Duration, error) {
	v, _, err := d.value(r)
	if err != nil {
		return 0, err
	}
	n, isWhole := whole(v)
	if _, isString := v.(string); isString {
		isWhole = false
	}
	switch {
	case !isWhole && d.path != nil:
		return 0, failure.New(failure.Runtime, "The SecondsPath parameter cannot be parsed as a long value: %s == %s", d.pathText, intrinsic.JSONText(v))
	case !isWhole:
		return 0, d.evaluationFailure("The JSONata expression '%s' specified for the field 'Seconds' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s",
			d.exprText, jsonTypeName(v), intrinsic.JSONText(v))
	case n < 0 && d.path != nil:
		return 0, failure.New(failure.Runtime, "The SecondsPath parameter references a negative value: %s == %s", d.pathText, intrinsic.JSONText(v))
	case n < 0:
		return 0, d.evaluationFailure("The JSONata expression '%s' specified for the field 'Seconds' returned a negative value: %d", d.exprText, n)
	}
	return time.Duration(n) * time.Second, nil
}

// waitUntil evaluates a Wait state's Timestamp.
func (d *dynamic) waitUntil(r *stateRun) (time.Time, error) {
	v, _, err := d.value(r)
	if err != nil {
		return time.Time{}, err
	}
	s, _ := v.(string)
	t, parseErr := time.Parse(time.RFC3339Nano, s)
	switch {
	case parseErr == nil:
		return t, nil
	case d.path != nil:
		return time.Time{}, failure.New(failure.Runtime,
			"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", d.pathText, rawText(v))
	}
	return time.Time{}, d.evaluationFailure("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: %s", rawText(v))
}

// mapCount evaluates MaxConcurrency or ToleratedFailureCount: a whole number, at least 0.
func (d *dynamic) mapCount(r *stateRun) (int64, bool, error) {
	v, ok, err := d.value(r)
	if err != nil || !ok {
		return 0, ok, err
	}
	n, isWhole := whole(v)
	switch {
	case !isWhole && d.path != nil:
		return 0, true, failure.New(failure.Runtime, "The %sPath field refers to value %s which is not a valid integer: %s", d.field, quoted(v), d.pathText)
	case !isWhole:
		return 0, true, d.evaluationFailure("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s",
			d.exprText, d.field, jsonTypeName(v), intrinsic.JSONText(v))
	case n < 0:
		return 0, true, d.evaluationFailure("%s cannot be negative.", d.field)
	}
	return n, true, nil
}

// percentage evaluates ToleratedFailurePercentage: a number from 0 to 100.
func (d *dynamic) percentage(r *stateRun) (float64, bool, error) {
	v, ok, err := d.value(r)
	if err != nil || !ok {
		return 0, ok, err
	}
	f, isReal := real(v)
	switch {
	case !isReal && d.path != nil:
		return 0, true, failure.New(failure.Runtime, "The %sPath field refers to value %s which is not a valid float: %s", d.field, quoted(v), d.pathText)
	case !isReal:
		return 0, true, d.evaluationFailure("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected 'number', but was '%s' for value: %s",
			d.exprText, d.field, jsonTypeName(v), intrinsic.JSONText(v))
	case f < 0 || f > 100:
		return 0, true, d.evaluationFailure("%s must be between 0 and 100.", d.field)
	}
	return f, true, nil
}

// text evaluates a field that must be a string (a Fail state's Error and Cause).
func (d *dynamic) text(r *stateRun) (string, bool, error) {
	v, ok, err := d.value(r)
	if err != nil || !ok {
		return "", ok, err
	}
	s, isString := v.(string)
	if !isString {
		return "", true, d.evaluationFailure("The %s value must be a string, but was %s", d.field, intrinsic.JSONText(v))
	}
	return s, true, nil
}

// rawText is a value as AWS prints it after "==": strings without quotes.
func rawText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return intrinsic.JSONText(v)
}

// jsonTypeName is the JSON type AWS names in its messages.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, int64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// bracketPath spells a simple path the way AWS's errors do: $.a.b[0] as $['a']['b'][0].
func bracketPath(path string) string {
	rest, ok := strings.CutPrefix(path, "$")
	if !ok {
		return path
	}
	var b strings.Builder
	b.WriteString("$")
	for _, part := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		name, index, _ := strings.Cut(part, "[")
		if name != "" {
			b.WriteString("['" + name + "']")
		}
		if index != "" {
			b.WriteString("[" + index)
		}
	}
	return b.String()
}
