package jsonvalue

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Append renders v as compact JSON onto dst, byte for byte as encoding/json would
// with HTML escaping off, except that objects keep their order: the way AWS prints
// values in outputs, histories and States.JsonToString. Values that JSON cannot carry
// (NaN, infinities, Go types other than a value's) render as null.
func Append(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case float64:
		return AppendNumber(dst, x)
	case string:
		return AppendString(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, item := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Append(dst, item)
		}
		return append(dst, ']')
	case *Object:
		if x == nil {
			return append(dst, "null"...)
		}
		dst = append(dst, '{')
		for i := range x.members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, x.members[i].Key)
			dst = append(dst, ':')
			dst = Append(dst, x.members[i].Value)
		}
		return append(dst, '}')
	}
	return appendForeign(dst, v)
}

// AppendNumber renders a number as encoding/json does: integers plainly, others in
// the shortest form that reads back the same, with an exponent below 1e-6 and from 1e21.
func AppendNumber(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(dst, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' { // 1e-07 becomes 1e-7, as encoding/json writes it
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hex = "0123456789abcdef"

// AppendString renders s as a JSON string as encoding/json does without HTML escaping:
// control characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029
// escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Text renders v as compact JSON text (see Append).
func Text(v any) string {
	switch x := v.(type) { // the common small cases without a buffer
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	bp := buffers.Get().(*[]byte)
	b := Append((*bp)[:0], v)
	s := string(b)
	if cap(b) <= 64<<10 { // keep buffers of ordinary size only
		*bp = b
		buffers.Put(bp)
	}
	return s
}

// MarshalJSON renders the object in order, so that encoding/json can carry values that
// hold objects.
func (o *Object) MarshalJSON() ([]byte, error) { return Append(nil, o), nil }

// UnmarshalJSON reads an object, keeping its order.
func (o *Object) UnmarshalJSON(data []byte) error {
	v, err := Parse(data)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return &SyntaxError{msg: "a JSON object is expected", Offset: 0}
	}
	*o = *obj
	return nil
}

// AppendCanonical is Append with every object's members sorted by key: one text per
// JSON value whatever its order, for telling equal values apart by their text.
func AppendCanonical(dst []byte, v any) []byte {
	switch x := v.(type) {
	case []any:
		dst = append(dst, '[')
		for i, item := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendCanonical(dst, item)
		}
		return append(dst, ']')
	case *Object:
		if x == nil {
			return append(dst, "null"...)
		}
		members := slices.Clone(x.members)
		slices.SortFunc(members, func(a, b Member) int { return strings.Compare(a.Key, b.Key) })
		dst = append(dst, '{')
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, m.Key)
			dst = append(dst, ':')
			dst = AppendCanonical(dst, m.Value)
		}
		return append(dst, '}')
	}
	return Append(dst, v)
}

// Size is the length of v's JSON text (Append's), counted without rendering it; it
// stops counting past limit and then returns a number above limit.
func Size(v any, limit int) int {
	n := 0
	size(v, limit, &n)
	return n
}

func size(v any, limit int, n *int) {
	if *n > limit {
		return
	}
	switch x := v.(type) {
	case nil:
		*n += 4
	case bool:
		if x {
			*n += 4
		} else {
			*n += 5
		}
	case float64:
		var b [32]byte
		*n += len(AppendNumber(b[:0], x))
	case string:
		*n += stringSize(x)
	case []any:
		*n += 2 + max(len(x)-1, 0)
		for _, item := range x {
			size(item, limit, n)
		}
	case *Object:
		if x == nil {
			*n += 4
			return
		}
		if known := atomic.LoadInt64(&x.size); known > 0 {
			*n += int(known)
			return
		}
		own := 2 + max(len(x.members)-1, 0)
		for i := range x.members {
			own += stringSize(x.members[i].Key) + 1
			size(x.members[i].Value, limit-*n, &own)
			if own > limit-*n {
				*n += own // past the limit: not worth remembering
				return
			}
		}
		atomic.StoreInt64(&x.size, int64(own)) // values are immutable once shared
		*n += own
	default:
		*n += len(Append(nil, v))
	}
}

// Within says whether v's JSON text is at most limit bytes long. It first adds up a
// bound that needs no look at a string's bytes (each byte escaped, each number at its
// longest), and counts exactly, as Size does, only when that bound is past limit.
func Within(v any, limit int) bool {
	n := 0
	if bound(v, limit, &n); n <= limit {
		return true
	}
	return Size(v, limit) <= limit
}

// longestNumber is the longest AppendNumber rendering of a float64.
const longestNumber = 32

func bound(v any, limit int, n *int) {
	if *n > limit {
		return
	}
	switch x := v.(type) {
	case nil, bool:
		*n += 5
	case float64:
		*n += longestNumber
	case string:
		*n += 2 + 6*len(x)
	case []any:
		*n += 2 + len(x)
		for _, item := range x {
			bound(item, limit, n)
		}
	case *Object:
		if x == nil {
			*n += 4
			return
		}
		if known := atomic.LoadInt64(&x.size); known != 0 {
			*n += int(max(known, -known)) // the size, or (negative) a bound found before
			return
		}
		own := 2 + len(x.members)
		for i := range x.members {
			own += 3 + 6*len(x.members[i].Key)
			bound(x.members[i].Value, limit-*n, &own)
		}
		if own <= limit-*n {
			atomic.CompareAndSwapInt64(&x.size, 0, -int64(own)) // an exact size stays
		}
		*n += own
	default:
		*n += len(Append(nil, v))
	}
}

// stringSize is the length of AppendString's rendering of s.
func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			switch {
			case b >= 0x20 && b != '"' && b != '\\':
				n++
			case b == '"' || b == '\\' || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t':
				n += 2
			default:
				n += 6
			}
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1, r == '\u2028', r == '\u2029':
			n += 6
		default:
			n += width
		}
		i += width
	}
	return n
}
