package asl

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// object is a decoded JSON object that remembers its key order and its location, because
// diagnostics name fields by location and the model keeps states in document order.
type object struct {
	loc        string
	keys       []string
	fields     map[string]json.RawMessage
	duplicates []string
}

var errNotObject = errors.New("not a JSON object")

// decodeObject reads raw, which must be well-formed JSON, as an object.
func decodeObject(raw json.RawMessage, loc string) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errNotObject
	}
	o := &object{loc: loc, fields: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errNotObject
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		if _, seen := o.fields[key]; seen {
			o.duplicates = append(o.duplicates, key)
			continue
		}
		o.keys = append(o.keys, key)
		o.fields[key] = value
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return o, nil
}

func (o *object) has(key string) bool {
	_, ok := o.fields[key]
	return ok
}

// at is the location of one of o's fields.
func (o *object) at(key string) string { return pointer(o.loc, key) }

// jsonKind names a JSON value's kind the way error messages talk about it.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
