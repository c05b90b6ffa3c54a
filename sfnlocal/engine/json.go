package engine

import (
	"bytes"
	"encoding/json"
	"sync"
)

var encoders = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// compactJSON renders a value as AWS does in history and outputs: compact, and without
// Go's HTML escaping of <, > and &.
func compactJSON(v any) string {
	buf := encoders.Get().(*bytes.Buffer)
	defer encoders.Put(buf)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return `"<unrenderable>"`
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
