package syncbuf

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Lines written at once by many goroutines all arrive whole (go test -race checks the
// locking).
func TestConcurrentWritesArriveWhole(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			_, _ = b.Write([]byte("line\n"))
			_ = b.String()
		})
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("line\n", 50), b.String())
}
