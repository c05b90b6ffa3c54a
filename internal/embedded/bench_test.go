package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
)

// benchmarkSaga runs whole sagas on the embedded stack: the engine, the real handlers
// and the DynamoDB endpoint on loopback, on virtual time.
func benchmarkSaga(b *testing.B, customerID string, want engine.Status) {
	s, err := Start(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)), Seed: 7, FaultInjection: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%tableSize == tableSize-1 {
			// minidyn copies a whole table for each transaction, which a real DynamoDB
			// does not: keep the tables at a realistic working size so ns/op measures
			// the saga, not the emulator's growth.
			b.StopTimer()
			if err := s.ClearTables(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		x, err := s.RunFare(ctx, FareInput(fmt.Sprintf("fare-%d", i), customerID))
		if err != nil {
			b.Fatal(err)
		}
		if r := x.Result(); r.Status != want {
			b.Fatalf("%s: %s %s", r.Status, r.Error, r.Cause)
		}
	}
}

// tableSize bounds how many fares the tables hold during a benchmark.
const tableSize = 64

func BenchmarkHappyPathSaga(b *testing.B) { benchmarkSaga(b, "cust-1", engine.Succeeded) }

func BenchmarkSagaCompensatingFromChargeFare(b *testing.B) {
	benchmarkSaga(b, "cust-1_fail_charge", engine.Failed)
}
