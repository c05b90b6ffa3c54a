package task

import (
	"time"
)

// fixedNow is the clock of every test: Date headers and trace ids depend on it.
var fixedNow = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func testEnv() Env {
	return Env{Now: func() time.Time { return fixedNow }, NewID: SequentialIDs()}
}

// id is the n-th id SequentialIDs hands out.
func id(n int) string {
	ids := SequentialIDs()
	var s string
	for range n {
		s = ids()
	}
	return s
}
