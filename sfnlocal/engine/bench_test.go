package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
)

// passChain is a machine of n Pass states that each transform their input a little, in
// the given query language: the raw cost of a state transition.
func passChain(n int, jsonata bool) string {
	var states []string
	for i := range n {
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == n-1 {
			next = `"End":true`
		}
		body := `"Parameters":{"count.$":"$.count","name.$":"$$.State.Name"}`
		if jsonata {
			body = `"Output":"{% {'count': $states.input.count, 'name': $states.context.State.Name} %}"`
		}
		states = append(states, fmt.Sprintf(`"S%d":{"Type":"Pass",%s,%s}`, i, body, next))
	}
	language := "JSONPath"
	if jsonata {
		language = "JSONata"
	}
	return fmt.Sprintf(`{"QueryLanguage":%q,"StartAt":"S0","States":{%s}}`, language, strings.Join(states, ","))
}

func benchmarkPassChain(b *testing.B, jsonata bool) {
	const states = 100
	m, err := Compile([]byte(passChain(states, jsonata)))
	if err != nil {
		b.Fatal(err)
	}
	e := New(Options{Clock: clock.NewVirtual(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)), Seed: 1})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		x, err := e.Run(ctx, m, StartInput{Name: "bench", Input: `{"count":1}`})
		if err != nil {
			b.Fatal(err)
		}
		if r := x.Result(); r.Status != Succeeded {
			b.Fatalf("%s: %s", r.Error, r.Cause)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/states, "ns/transition")
}

func BenchmarkPassChain100JSONPath(b *testing.B) { benchmarkPassChain(b, false) }
func BenchmarkPassChain100JSONata(b *testing.B)  { benchmarkPassChain(b, true) }
