package clock

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var start = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestVirtualSleepAdvancesAtOnce(t *testing.T) {
	v := NewVirtual(start)
	require.NoError(t, v.Sleep(context.Background(), 90*time.Second))
	assert.Equal(t, start.Add(90*time.Second), v.Now())
	require.NoError(t, v.Sleep(context.Background(), -time.Second))
	assert.Equal(t, start.Add(90*time.Second), v.Now(), "time never goes back")
}

func TestVirtualSleepHonoursCancellation(t *testing.T) {
	v := NewVirtual(start)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, v.Sleep(ctx, time.Hour), context.Canceled)
	assert.Equal(t, start, v.Now())
}

func TestVirtualIsSafeForConcurrentSleepers(t *testing.T) {
	v := NewVirtual(start)
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = v.Sleep(context.Background(), time.Second)
		}()
	}
	wg.Wait()
	assert.Equal(t, start.Add(100*time.Second), v.Now())
}

func TestRealSleep(t *testing.T) {
	var c Clock = Real{}
	before := c.Now()
	require.NoError(t, c.Sleep(context.Background(), time.Millisecond))
	assert.GreaterOrEqual(t, c.Now().Sub(before), time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled, "a cancelled sleep returns at once")
}
