package saga

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// NewLogger is every function's logger: JSON lines at level and above on w, with card
// numbers redacted from whatever a line shows, whatever put them there.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: RedactCardNumbersAttr}))
}

// RedactCardNumbersAttr is a slog.HandlerOptions.ReplaceAttr that replaces card numbers
// in what a log line shows: string values, the message, the text of errors, byte
// slices (json.RawMessage), numbers, and any other value as the handler would render
// it. Keys are checked too, in case one was built from input. Values without a card
// number pass unchanged, with their type.
//
//	slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: saga.RedactCardNumbersAttr}))
func RedactCardNumbersAttr(_ []string, a slog.Attr) slog.Attr {
	if ContainsCardNumber(a.Key) {
		a.Key = RedactCardNumbers(a.Key)
	}
	if text, ok := attrText(a.Value); ok && ContainsCardNumber(text) {
		a.Value = slog.StringValue(RedactCardNumbers(text))
	}
	return a
}

// attrText is the text a handler writes for v; ok is false for values that cannot hold
// digits (booleans, durations, times) and for groups, whose members ReplaceAttr sees one
// by one.
func attrText(v slog.Value) (string, bool) {
	switch v.Kind() {
	case slog.KindString:
		return v.String(), true
	case slog.KindInt64:
		return strconv.FormatInt(v.Int64(), 10), true
	case slog.KindUint64:
		return strconv.FormatUint(v.Uint64(), 10), true
	case slog.KindFloat64:
		return strconv.FormatFloat(v.Float64(), 'f', -1, 64), true
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return x.Error(), true
		case []byte:
			return string(x), true
		case json.RawMessage:
			return string(x), true
		case fmt.Stringer:
			return x.String(), true
		}
		if b, err := json.Marshal(v.Any()); err == nil {
			return string(b), true
		}
		return fmt.Sprintf("%+v", v.Any()), true
	}
	return "", false
}
