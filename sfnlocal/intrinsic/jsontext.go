package intrinsic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// buffers are reused: the interpreter renders every state's input and output with
// JSONText, so this sits on the hot path of each transition.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// JSONText renders v as compact JSON the way AWS prints values: in States.JsonToString
// results, in the inputs quoted by error messages, and in execution histories. Unlike
// json.Marshal it leaves <, > and & alone. Object keys come out sorted because Go maps
// do not keep the order AWS would print them in.
func JSONText(v any) string {
	b := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(b)
	b.Reset()
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}
