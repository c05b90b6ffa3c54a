// Package asl parses and validates Amazon States Language definitions into a typed model.
//
// It only describes a state machine; evaluating paths, payload templates and JSONata is left
// to the interpreter, so those fields are kept as raw JSON.
package asl

import "encoding/json"

// QueryLanguage selects how a state transforms data.
type QueryLanguage string

// The query languages Step Functions knows.
const (
	JSONPath QueryLanguage = "JSONPath"
	JSONata  QueryLanguage = "JSONata"
)

// StateType is the value of a state's "Type" field.
type StateType string

// The state types of the Amazon States Language.
const (
	TypeTask     StateType = "Task"
	TypePass     StateType = "Pass"
	TypeChoice   StateType = "Choice"
	TypeWait     StateType = "Wait"
	TypeSucceed  StateType = "Succeed"
	TypeFail     StateType = "Fail"
	TypeParallel StateType = "Parallel"
	TypeMap      StateType = "Map"
)

// Definition is a state machine, or one of its nested scopes (a Parallel branch, a Map
// ItemProcessor or Iterator): a scope's states can only transition to each other.
type Definition struct {
	Comment string
	StartAt string
	// TimeoutSeconds and Version only exist on the top-level machine; 0 and "" when absent.
	TimeoutSeconds int64
	Version        string
	// QueryLanguage is the default of the scope's states (JSONPath when unspecified).
	QueryLanguage QueryLanguage
	// ProcessorConfig is only set on a Map's ItemProcessor or Iterator.
	ProcessorConfig *ProcessorConfig
	States          map[string]*State
	// StateNames lists States in document order, for stable output.
	StateNames []string
}

// ValueKind tells which form a field that may be dynamic took.
type ValueKind uint8

// The forms of a Value.
const (
	ValueAbsent     ValueKind = iota // the field and its variants are absent
	ValueLiteral                     // a constant, in Literal
	ValuePath                        // the "…Path" variant, a JSONPath reference path in Path
	ValueExpression                  // a JSONata "{% … %}" string, its inside in Expression
)

// Value is a field that may be fixed in the definition, read from the state input by its
// "…Path" twin (JSONPath states) or computed by JSONata (JSONata states); the interpreter
// resolves it at run time.
type Value[T any] struct {
	Kind       ValueKind
	Literal    T
	Path       string
	Expression string
}

// IsSet reports whether the definition gave the field in any form.
func (v Value[T]) IsSet() bool { return v.Kind != ValueAbsent }

// OptionalPath is a JSONPath I/O path (InputPath, OutputPath, ResultPath): ASL gives an
// explicit null its own meaning, distinct from leaving the field out.
type OptionalPath struct {
	Set  bool
	Null bool
	Path string
}

// State is one state of any type; fields that do not belong to Type stay zero.
type State struct {
	Name          string
	Type          StateType
	Comment       string
	QueryLanguage QueryLanguage // effective language, inherited when the state does not say
	Next          string
	End           bool
	// MayReadContext is false when nothing in the state (nested states included) can
	// read the context object ($$ in JSONPath, $states.context or $states whole in
	// JSONata), so the interpreter need not build it.
	MayReadContext bool

	// JSONPath input/output processing.
	InputPath      OptionalPath
	OutputPath     OptionalPath
	ResultPath     OptionalPath
	Parameters     json.RawMessage
	ResultSelector json.RawMessage
	// JSONata input/output processing: Arguments is an object or a "{% %}" string.
	Arguments json.RawMessage
	Output    json.RawMessage
	// Assign is allowed in both languages.
	Assign json.RawMessage

	// Task.
	Resource         string
	TimeoutSeconds   Value[int64]
	HeartbeatSeconds Value[int64]
	Credentials      json.RawMessage

	// Task, Parallel and Map.
	Retry []Retrier
	Catch []Catcher

	// Pass.
	Result json.RawMessage

	// Choice.
	Choices []ChoiceRule
	Default string

	// Wait: exactly one of Seconds and Timestamp is set.
	Seconds   Value[int64]
	Timestamp Value[string]

	// Fail.
	Error Value[string]
	Cause Value[string]

	// Parallel.
	Branches []*Definition

	// Map.
	ItemsPath                  string          // JSONPath, defaults to "$"
	Items                      json.RawMessage // JSONata: an array or a "{% %}" string
	ItemSelector               json.RawMessage
	ItemProcessor              *Definition // also filled from the older Iterator field
	MaxConcurrency             Value[int64]
	ToleratedFailureCount      Value[int64]
	ToleratedFailurePercentage Value[float64]
	ItemReader                 json.RawMessage
	ResultWriter               json.RawMessage
	ItemBatcher                json.RawMessage
	Label                      string
}

// ProcessorConfig says how a Map runs its iterations.
type ProcessorConfig struct {
	Mode          string // INLINE (default) or DISTRIBUTED
	ExecutionType string // STANDARD or EXPRESS, for DISTRIBUTED maps
}

// Retrier is one element of a state's Retry array, with the ASL defaults applied.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64   // default 1
	MaxAttempts     int64   // default 3; 0 means never retry
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int64   // 0 when absent: no cap
	JitterStrategy  string  // FULL or NONE (default)
	Comment         string
}

// Catcher is one element of a state's Catch array.
type Catcher struct {
	ErrorEquals []string
	Next        string
	ResultPath  OptionalPath
	Output      json.RawMessage
	Assign      json.RawMessage
	Comment     string
}

// ChoiceRule is a rule of a Choice state, or a sub-rule of And, Or or Not (which have no Next).
//
// A JSONata rule only has Condition. A JSONPath rule has either one of And, Or, Not, or a
// Variable compared by Operator to Value (for "…Path" operators Value is the path string).
type ChoiceRule struct {
	Next    string
	Comment string
	Assign  json.RawMessage
	Output  json.RawMessage

	Condition string // JSONata expression, inside of "{% %}" ("true"/"false" for a literal)

	Variable string
	Operator string
	Value    any

	And []ChoiceRule
	Or  []ChoiceRule
	Not *ChoiceRule
}
