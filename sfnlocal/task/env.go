package task

import (
	"crypto/rand"
	"fmt"
	"sync/atomic"
	"time"
)

// Env is the simulated AWS account the integrations answer for, and the sources of
// the values AWS would make up: dates and request or message ids. Zero fields get
// defaults; tests inject Now and NewID to get deterministic results.
type Env struct {
	Region    string           // default us-east-1
	AccountID string           // default 000000000000
	Now       func() time.Time // default time.Now
	NewID     func() string    // default random UUIDs
}

const (
	defaultRegion    = "us-east-1"
	defaultAccountID = "000000000000"
)

func (e Env) withDefaults() Env {
	if e.Region == "" {
		e.Region = defaultRegion
	}
	if e.AccountID == "" {
		e.AccountID = defaultAccountID
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.NewID == nil {
		e.NewID = randomUUID
	}
	return e
}

func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// SequentialIDs returns a generator of UUID-shaped ids 00000000-0000-4000-8000-000000000001,
// ...002 and so on, safe for concurrent use: deterministic ids for tests.
func SequentialIDs() func() string {
	var n atomic.Uint64
	return func() string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n.Add(1)) }
}
