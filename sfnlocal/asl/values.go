package asl

import "encoding/json"

// dynamicValue reads a field that may be a literal, its "…Path" twin (pathKey, "" when the
// field has none) or, in JSONata states, a "{% %}" expression.
func dynamicValue[T any](p *parser, o *object, language QueryLanguage, key, pathKey string, kind pathKind,
	literal func(*object, string) (T, bool)) Value[T] {
	var v Value[T]
	if pathKey != "" && o.has(pathKey) {
		if o.has(key) {
			p.schemaError(o.loc, "fields %q and %q are mutually exclusive", key, pathKey)
		}
		if path, ok := p.pathField(o, pathKey, kind); ok {
			v.Kind, v.Path = ValuePath, path
		}
		return v
	}
	if !o.has(key) {
		return v
	}
	if expression, ok := p.expressionField(o, key, language); ok {
		v.Kind, v.Expression = ValueExpression, expression
		return v
	}
	if value, ok := literal(o, key); ok {
		v.Kind, v.Literal = ValueLiteral, value
	}
	return v
}

// expressionField reports whether key holds a JSONata expression in a JSONata state.
func (p *parser) expressionField(o *object, key string, language QueryLanguage) (string, bool) {
	if language != JSONata || jsonKind(o.fields[key]) != "string" {
		return "", false
	}
	var s string
	if json.Unmarshal(o.fields[key], &s) != nil {
		return "", false
	}
	return jsonataExpression(s)
}

// pathField reads a string field that must be a path of the given kind.
func (p *parser) pathField(o *object, key string, kind pathKind) (string, bool) {
	path, ok := p.stringField(o, key)
	if !ok {
		return "", false
	}
	if err := checkPath(path, kind); err != nil {
		p.schemaError(o.at(key), "%s: %v", key, err)
		return "", false
	}
	return path, true
}

// optionalPathField reads InputPath, OutputPath or ResultPath, where null is meaningful.
func (p *parser) optionalPathField(o *object, key string, kind pathKind) OptionalPath {
	raw, ok := o.fields[key]
	if !ok {
		return OptionalPath{}
	}
	if jsonKind(raw) == "null" {
		return OptionalPath{Set: true, Null: true}
	}
	path, ok := p.pathField(o, key, kind)
	return OptionalPath{Set: ok, Path: path}
}

// objectOrExpressionField reads Arguments or a JSONata Items: a template the interpreter
// evaluates, or one expression producing the whole value.
// want is the JSON kind of the template: "object" or "array".
func (p *parser) objectOrExpressionField(o *object, key, want string) json.RawMessage {
	raw, ok := o.fields[key]
	if !ok {
		return nil
	}
	if _, isExpression := p.expressionField(o, key, JSONata); isExpression {
		return raw
	}
	if jsonKind(raw) != want {
		p.wrongKind(o, key, "an "+want+" or a JSONata expression")
		return nil
	}
	return raw
}
