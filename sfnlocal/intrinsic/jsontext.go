package intrinsic

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSONText renders v as compact JSON the way AWS prints values: in States.JsonToString
// results and in the inputs quoted by error messages. Unlike json.Marshal it leaves <, >
// and & alone. Object keys come out sorted because Go maps do not keep the order AWS
// would print them in.
func JSONText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}
