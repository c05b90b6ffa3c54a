package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Event is one history event as the console shows it: the details of any event type,
// read from whichever ...EventDetails the event carries, so that event types the console
// was not written for still show everything they hold.
type Event struct {
	ID, Previous int64
	Time         time.Time
	Type         string
	// Name is the details' name: the state entered or exited.
	Name         string
	Error, Cause string
	// Fields are the short details (resource, timeout, redrive count...).
	Fields []Field
	// Payloads are the long ones, shown on demand: input, output, parameters, cause.
	Payloads []Payload
	// Run is the run the event belongs to: 1, then one more per redrive.
	Run int
	// State is the top-level state the event happened in, "" outside any.
	State string
}

// Field is a short detail of an event.
type Field struct{ Name, Value string }

// Payload is a long detail of an event: JSON pretty-printed, anything else as it came.
type Payload struct {
	Name, Text string
	Bytes      int
}

// payloadFields are the details shown as payloads whatever their length.
var payloadFields = map[string]bool{"input": true, "output": true, "parameters": true, "cause": true, "assignedVariables": true}

// longField is the length beyond which a detail is a payload.
const longField = 100

// eventFrom reads an SDK history event. Its details are shown as the API gives them, as
// the AWS console shows them (card-number redaction, as the door's answers apply it,
// would also hide timestamps and ids that look like one).
func eventFrom(h sfntypes.HistoryEvent) Event {
	e := Event{ID: h.Id, Previous: h.PreviousEventId, Type: string(h.Type)}
	if h.Timestamp != nil {
		e.Time = h.Timestamp.UTC()
	}
	v := reflect.ValueOf(h)
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || !strings.HasSuffix(f.Name, "EventDetails") || v.Field(i).IsNil() {
			continue
		}
		e.readDetails(v.Field(i).Elem())
	}
	return e
}

func (e *Event) readDetails(details reflect.Value) {
	t := details.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := lowerFirst(f.Name)
		value, ok := detailText(details.Field(i))
		if !ok {
			continue
		}
		switch name {
		case "name":
			e.Name = value
		case "error":
			e.Error = value
		case "cause":
			e.Cause = value
		}
		if payloadFields[name] || len(value) > longField || strings.ContainsRune(value, '\n') {
			e.Payloads = append(e.Payloads, Payload{Name: name, Text: prettyJSON(value), Bytes: len(value)})
		} else {
			e.Fields = append(e.Fields, Field{Name: name, Value: value})
		}
	}
}

// detailText is a detail's value as text; false for the nested ...Details structures
// (whether the data was included or truncated), which say nothing to a reader.
func detailText(v reflect.Value) (string, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), true
	case reflect.Int, reflect.Int32, reflect.Int64:
		return fmt.Sprint(v.Int()), true
	case reflect.Bool:
		return fmt.Sprint(v.Bool()), true
	case reflect.Map:
		if v.Len() == 0 {
			return "", false
		}
		out, err := json.Marshal(v.Interface())
		return string(out), err == nil
	}
	return "", false
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// prettyJSON indents JSON text; anything else comes back as it was.
func prettyJSON(s string) string {
	var out bytes.Buffer
	if json.Indent(&out, []byte(s), "", "  ") != nil {
		return s
	}
	return out.String()
}

// Summary is the one line the history table shows for an event.
func (e Event) Summary() string {
	switch {
	case e.Error != "":
		if e.Cause != "" {
			return e.Error + ": " + clip(e.Cause, 160)
		}
		return e.Error
	case e.Name != "":
		return e.Name
	}
	for _, f := range e.Fields {
		if f.Name == "resource" || f.Name == "redriveCount" {
			return f.Name + " " + f.Value
		}
	}
	return ""
}

// sortedFields lists an event's short details in a stable order.
func (e Event) sortedFields() []Field {
	out := append([]Field(nil), e.Fields...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
