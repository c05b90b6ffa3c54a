package asl

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// typeParser returns the reader of the fields specific to a state type, nil for an unknown
// type. (A switch rather than a map: the readers recurse into parseState.)
func typeParser(t StateType) func(*parser, *object, *State) {
	switch t {
	case TypeTask:
		return (*parser).parseTask
	case TypePass:
		return (*parser).parsePass
	case TypeChoice:
		return (*parser).parseChoice
	case TypeWait:
		return (*parser).parseWait
	case TypeSucceed:
		return func(*parser, *object, *State) {}
	case TypeFail:
		return (*parser).parseFail
	case TypeParallel:
		return (*parser).parseParallel
	case TypeMap:
		return (*parser).parseMap
	}
	return nil
}

// Types without a Next or End: Choice picks its successor, Succeed and Fail stop.
var typesWithoutTransition = []StateType{TypeChoice, TypeSucceed, TypeFail}

func (p *parser) parseState(name string, raw []byte, loc string, scopeLanguage QueryLanguage) *State {
	o := p.decode(raw, loc, fmt.Sprintf("state %q", name), CodeSchemaValidation)
	if o == nil {
		return nil
	}
	s := &State{Name: name, QueryLanguage: p.stateLanguage(o, scopeLanguage), MayReadContext: mayReadContext(raw)}
	s.Comment, _ = p.stringField(o, "Comment")
	if p.requireField(o, "Type") {
		typeName, _ := p.stringField(o, "Type")
		s.Type = StateType(typeName)
	}
	parseTypeFields := typeParser(s.Type)
	if parseTypeFields == nil {
		if s.Type != "" {
			p.schemaError(o.at("Type"), "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
		}
		// Still follow Next and End so one bad Type does not make its successors look
		// unreachable or its scope endless.
		s.Next, _ = p.stringField(o, "Next")
		s.End, _ = p.boolField(o, "End")
		return s
	}
	p.checkStateFields(o, s.Type, s.QueryLanguage)
	if !slices.Contains(typesWithoutTransition, s.Type) {
		p.parseTransition(o, s)
	}
	p.parseDataFields(o, s)
	parseTypeFields(p, o, s)
	return s
}

// mayReadContext tells, from a state's text, whether it can read the context object:
// a "$$" path, or "$states" other than its input, result and errorOutput. Erring on
// the side of yes only costs building the object.
func mayReadContext(raw []byte) bool {
	if bytes.Contains(raw, []byte("$$")) {
		return true
	}
	states := bytes.Count(raw, []byte("$states"))
	for _, part := range []string{"$states.input", "$states.result", "$states.errorOutput"} {
		states -= bytes.Count(raw, []byte(part))
	}
	return states > 0
}

// stateLanguage is the state's own QueryLanguage or the scope's. A JSONata machine cannot
// hold JSONPath states, while a JSONPath machine may opt single states into JSONata.
func (p *parser) stateLanguage(o *object, scopeLanguage QueryLanguage) QueryLanguage {
	language, ok := p.queryLanguageField(o)
	if !ok {
		return scopeLanguage
	}
	if language == JSONPath && p.topLanguage == JSONata {
		p.schemaError(o.at("QueryLanguage"), "a state cannot use JSONPath when the state machine's QueryLanguage is JSONata")
	}
	return language
}

func (p *parser) parseTransition(o *object, s *State) {
	next, hasNext := p.stringField(o, "Next")
	end, _ := p.boolField(o, "End")
	switch {
	case hasNext && end:
		p.schemaError(o.loc, "state %q cannot have both Next and End", s.Name)
	case !hasNext && !end && !o.has("Next"):
		p.schemaError(o.loc, "state %q must have either Next or \"End\": true", s.Name)
	}
	s.Next, s.End = next, end
}

// parseDataFields reads the input/output fields; checkStateFields has already rejected those
// the state's type or language does not allow, so whatever is present belongs here.
func (p *parser) parseDataFields(o *object, s *State) {
	s.InputPath = p.optionalPathField(o, "InputPath", anyPath)
	s.OutputPath = p.optionalPathField(o, "OutputPath", anyPath)
	s.ResultPath = p.optionalPathField(o, "ResultPath", referencePath)
	s.Parameters = p.templateField(o, "Parameters", s.QueryLanguage)
	s.ResultSelector = p.templateField(o, "ResultSelector", s.QueryLanguage)
	s.Arguments = p.objectOrExpressionField(o, "Arguments", "object")
	s.Output = o.fields["Output"]
	s.Assign = p.templateField(o, "Assign", s.QueryLanguage)
}

func (p *parser) parseTask(o *object, s *State) {
	if p.requireField(o, "Resource") {
		s.Resource, _ = p.stringField(o, "Resource")
		if !strings.HasPrefix(s.Resource, "arn:") {
			p.errorAt(CodeInvalidResource, o.at("Resource"), "Resource %q is not an ARN", s.Resource)
		}
	}
	s.TimeoutSeconds = p.boundedInteger(o, s, "TimeoutSeconds", 1)
	s.HeartbeatSeconds = p.boundedInteger(o, s, "HeartbeatSeconds", 1)
	timeout, heartbeat := s.TimeoutSeconds, s.HeartbeatSeconds
	if timeout.Kind == ValueLiteral && heartbeat.Kind == ValueLiteral && heartbeat.Literal >= timeout.Literal {
		p.schemaError(o.at("HeartbeatSeconds"), "HeartbeatSeconds (%d) must be smaller than TimeoutSeconds (%d)", heartbeat.Literal, timeout.Literal)
	}
	s.Credentials = p.rawObjectField(o, "Credentials")
	p.parseErrorHandling(o, s)
}

// boundedInteger reads an integer field with a "…Path" twin; a literal must lie within
// [low, maxTimeoutSeconds], the largest count AWS accepts.
func (p *parser) boundedInteger(o *object, s *State, key string, low float64) Value[int64] {
	v := dynamicValue(p, o, s.QueryLanguage, key, key+"Path", anyPath, p.integerField)
	if v.Kind == ValueLiteral {
		p.checkRange(o.at(key), key, float64(v.Literal), low, maxTimeoutSeconds)
	}
	return v
}

func (p *parser) parsePass(o *object, s *State) {
	s.Result = o.fields["Result"]
	p.warnAboutPathsInResult(o, s.Result)
}

func (p *parser) parseFail(o *object, s *State) {
	s.Error = dynamicValue(p, o, s.QueryLanguage, "Error", "ErrorPath", pathOrIntrinsic, p.stringField)
	s.Cause = dynamicValue(p, o, s.QueryLanguage, "Cause", "CausePath", pathOrIntrinsic, p.stringField)
}

func (p *parser) parseParallel(o *object, s *State) {
	if p.requireField(o, "Branches") {
		branches, _ := p.arrayField(o, "Branches")
		if branches != nil && len(branches) == 0 {
			p.schemaError(o.at("Branches"), "Branches must hold at least one branch")
		}
		for i, raw := range branches {
			if branch := p.parseBranch(raw, pointer(o.at("Branches"), i)); branch != nil {
				s.Branches = append(s.Branches, branch)
			}
		}
	}
	p.parseErrorHandling(o, s)
}

// parseErrorHandling reads Retry and Catch, shared by Task, Parallel and Map.
func (p *parser) parseErrorHandling(o *object, s *State) {
	s.Retry = p.parseRetry(o)
	s.Catch = p.parseCatch(o, s.QueryLanguage)
}
