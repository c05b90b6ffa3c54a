// Package jsonvalue holds JSON values as the engine works on them, with objects in
// document order: AWS keeps the order of an object's members everywhere (state outputs,
// payload templates, States.JsonToString, history payloads), and Go maps do not.
//
// A value is nil (null), bool, float64, string, []any or *Object. Values are treated as
// immutable once built: an operation that changes one returns a copy of the containers
// on its way and shares the rest, so a value can be read by any number of goroutines.
// See CHOICE.md for the options measured before choosing this representation.
package jsonvalue

import "sync/atomic"

// Object is a JSON object whose members keep the order they were added in. Building
// (Set) is for the code that owns the object before anyone else reads it.
type Object struct {
	members []Member
	// index finds members of large objects; small ones are searched in order, which is
	// faster than hashing below about a dozen keys.
	index map[string]int
	// size is the length of the object's JSON text once Size has counted it (0 before):
	// an object passed from state to state is counted once, not at every state. A
	// negative size is minus the bound Within found, until Size counts exactly.
	size int64
	// claimed, when set, says the members array is shared with other objects, each of
	// which sees a prefix of it (see With): it counts the array's slots written so far.
	// Such an object copies its members before it changes them.
	claimed *atomic.Int32
}

// Member is one name and value of an object.
type Member struct {
	Key   string
	Value any
}

// indexFrom is the size from which an object keeps an index of its keys.
const indexFrom = 12

// NewObject returns an empty object with room for n members. Small objects, the
// common case, come in one allocation with their members.
func NewObject(n int) *Object {
	switch {
	case n == 0:
		return &Object{}
	case n <= 1:
		o := &struct {
			Object
			room [1]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 2:
		o := &struct {
			Object
			room [2]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 3:
		o := &struct {
			Object
			room [3]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 4:
		o := &struct {
			Object
			room [4]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 5:
		o := &struct {
			Object
			room [5]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 6:
		o := &struct {
			Object
			room [6]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 8:
		o := &struct {
			Object
			room [8]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	case n <= 10:
		o := &struct {
			Object
			room [10]Member
		}{}
		o.members = o.room[:0]
		return &o.Object
	}
	return &Object{members: make([]Member, 0, n)}
}

// ObjectOf builds an object from alternating keys and values, for tests and literals:
// ObjectOf("a", 1.0, "b", "x").
func ObjectOf(keysAndValues ...any) *Object {
	o := NewObject(len(keysAndValues) / 2)
	for i := 0; i+1 < len(keysAndValues); i += 2 {
		o.Set(keysAndValues[i].(string), keysAndValues[i+1])
	}
	return o
}

// Len is the number of members.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.members)
}

// Members are the members in order; the slice must not be changed.
func (o *Object) Members() []Member {
	if o == nil {
		return nil
	}
	return o.members[:len(o.members):len(o.members)] // no room: an append copies
}

// Keys lists the member names in order.
func (o *Object) Keys() []string {
	keys := make([]string, len(o.Members()))
	for i, m := range o.Members() {
		keys[i] = m.Key
	}
	return keys
}

func (o *Object) find(key string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range o.members {
		if o.members[i].Key == key {
			return i
		}
	}
	return -1
}

// Get returns the value of key and whether the object has it.
func (o *Object) Get(key string) (any, bool) {
	if i := o.find(key); i >= 0 {
		return o.members[i].Value, true
	}
	return nil, false
}

// Has reports whether the object has key.
func (o *Object) Has(key string) bool { return o.find(key) >= 0 }

// Set gives key the value v: in its place if the object has it, at the end otherwise.
func (o *Object) Set(key string, v any) {
	o.unshare()
	o.size = 0
	if i := o.find(key); i >= 0 {
		o.members[i].Value = v
		return
	}
	o.members = append(o.members, Member{Key: key, Value: v})
	switch n := len(o.members); {
	case o.index != nil:
		o.index[key] = n - 1
	case n >= indexFrom:
		o.index = make(map[string]int, n*2)
		for i, m := range o.members {
			o.index[m.Key] = i
		}
	}
}

// Delete removes key, keeping the order of the others.
func (o *Object) Delete(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.unshare()
	o.size = 0
	o.members = append(o.members[:i], o.members[i+1:]...)
	if o.index != nil {
		o.index = nil
		if len(o.members) >= indexFrom {
			o.index = make(map[string]int, len(o.members)*2)
			for j, m := range o.members {
				o.index[m.Key] = j
			}
		}
	}
}

// Clone is a shallow copy: the members' values are shared.
func (o *Object) Clone() *Object {
	return o.CloneWithRoom(0)
}

// CloneWithRoom is Clone with room for extra more members.
func (o *Object) CloneWithRoom(extra int) *Object {
	c := NewObject(o.Len() + extra)
	c.members = append(c.members, o.Members()...)
	if o != nil && o.index != nil {
		c.index = make(map[string]int, len(o.index)+extra)
		for k, i := range o.index {
			c.index[k] = i
		}
	}
	return c
}

// unshare gives the object members of its own, before it changes them.
func (o *Object) unshare() {
	if o.claimed == nil {
		return
	}
	members := make([]Member, len(o.members), len(o.members)+1)
	copy(members, o.members)
	o.members, o.claimed = members, nil
}

// withRoom is the room With leaves after a new key, for the keys that follow.
const withRoom = 4

// With is a copy of o with key set to v (in its place, or at the end).
//
// A new key on a small object usually costs no copy of the members: o and the result
// share one array, o seeing its first n members and the result n+1. The first object
// to extend a prefix claims the slot after it (a compare-and-swap on the array's count
// of slots written); the others, and every object without room, copy, leaving room.
// Values that read a state's input and add its result, state after state, so share
// one array.
func (o *Object) With(key string, v any) *Object {
	n := o.Len()
	if o == nil || o.index != nil || n+1 >= indexFrom || o.find(key) >= 0 {
		c := o.CloneWithRoom(1)
		c.Set(key, v)
		return c
	}
	if o.claimed != nil && n < cap(o.members) && o.claimed.CompareAndSwap(int32(n), int32(n+1)) {
		members := o.members[:n+1]
		members[n] = Member{Key: key, Value: v}
		return &Object{members: members, claimed: o.claimed}
	}
	c := &struct {
		Object
		claimed atomic.Int32
	}{}
	c.members = make([]Member, n+1, n+1+withRoom)
	copy(c.members, o.members)
	c.members[n] = Member{Key: key, Value: v}
	c.claimed.Store(int32(n + 1))
	c.Object.claimed = &c.claimed
	return &c.Object
}
