package jsonvalue

import "unsafe"

// Footprint counts the memory values hold, each object, array and string once however
// many values share it: values are immutable and shared, so an execution's history
// that shows one 100 KB input in 25,000 events holds it once.
type Footprint struct {
	seen  map[unsafe.Pointer]struct{}
	Bytes int64
}

// first reports whether p has not been counted yet, and marks it.
func (f *Footprint) first(p unsafe.Pointer) bool {
	if f.seen == nil {
		f.seen = map[unsafe.Pointer]struct{}{}
	}
	if _, ok := f.seen[p]; ok {
		return false
	}
	f.seen[p] = struct{}{}
	return true
}

// Add counts v and what it holds that was not counted already.
func (f *Footprint) Add(v any) {
	f.Bytes += 16 // the interface holding it
	switch x := v.(type) {
	case string:
		f.AddString(x)
	case float64:
		f.Bytes += 8
	case []any:
		if len(x) > 0 && f.first(unsafe.Pointer(unsafe.SliceData(x))) {
			f.Bytes += int64(cap(x)) * 16
			for _, item := range x {
				f.Add(item)
			}
		}
	case *Object:
		if x != nil && f.first(unsafe.Pointer(x)) {
			f.Bytes += int64(unsafe.Sizeof(Object{})) + int64(cap(x.members))*int64(unsafe.Sizeof(Member{}))
			for _, m := range x.members {
				f.AddString(m.Key)
				f.Add(m.Value)
			}
		}
	}
}

// AddString counts a string's bytes, once per backing array.
func (f *Footprint) AddString(s string) {
	if len(s) > 0 && f.first(unsafe.Pointer(unsafe.StringData(s))) {
		f.Bytes += int64(len(s))
	}
}
