package task

import (
	"context"
	"testing"
	"time"
)

func BenchmarkLambdaInvoke(b *testing.B) {
	registry, _ := newTestRegistry(b)
	event := map[string]any{"fareId": "f1", "amount": 12.5}
	benchmarks := []struct {
		name string
		req  Request
	}{
		{"function ARN", Request{Resource: functionARN + "charge", Arguments: event}},
		{"function ARN with timeout", Request{Resource: functionARN + "charge", Arguments: event, Timeout: time.Minute}},
		{"lambda:invoke", Request{Resource: lambdaInvoke, Arguments: map[string]any{"FunctionName": "charge", "Payload": event}}},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := invokePlain(registry, context.Background(), bm.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
