package engine

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// idSource draws UUIDs and random numbers from a seeded generator, so that executions
// that use States.UUID, $uuid or $random are reproducible under a fixed seed.
type idSource struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newIDSource(seed uint64) *idSource {
	return &idSource{rng: rand.New(rand.NewPCG(seed^0x5bd1e995, seed))}
}

// UUID returns a version 4 UUID.
func (s *idSource) UUID() string {
	s.mu.Lock()
	hi, lo := s.rng.Uint64(), s.rng.Uint64()
	s.mu.Unlock()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// Float64 returns a number in [0, 1).
func (s *idSource) Float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}

// Int64N returns a number in [0, n).
func (s *idSource) Int64N(n int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Int64N(n)
}
