package jsonata

import (
	"testing"
)

func benchmarkBindings() Bindings {
	return Bindings{
		States: map[string]any{
			"input": map[string]any{
				"x": 1.0, "name": "ann", "items": []any{1.0, 2.0, 3.0},
				"order": map[string]any{"id": "o-1", "total": 12.5, "lines": []any{map[string]any{"sku": "a", "qty": 2.0}}},
			},
			"context": map[string]any{"Execution": map[string]any{"Id": "arn:x"}, "State": map[string]any{"Name": "S"}},
		},
		Variables: map[string]any{"limit": 10.0, "customer": map[string]any{"tier": "gold"}},
	}
}

// BenchmarkOutputTemplate is a typical Output: a few fields picked from the input and variables.
func BenchmarkOutputTemplate(b *testing.B) {
	tpl, err := CompileTemplate(map[string]any{
		"a":     "{% $states.input.x %}",
		"name":  "{% $states.input.name %}",
		"order": "{% $states.input.order.id %}",
		"tier":  "{% $customer.tier %}",
		"fixed": "literal",
	}, InField("Output"))
	if err != nil {
		b.Fatal(err)
	}
	bindings := benchmarkBindings()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Evaluate(bindings); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCondition is a Choice rule's Condition.
func BenchmarkCondition(b *testing.B) {
	tpl, err := CompileTemplate("{% $states.input.x >= 1 and $states.input.order.total < $limit %}", InField("Condition"))
	if err != nil {
		b.Fatal(err)
	}
	bindings := benchmarkBindings()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Evaluate(bindings); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPassInputThrough is Output "{% $states.input %}" over a large input, which must not
// be copied.
func BenchmarkPassInputThrough(b *testing.B) {
	items := make([]any, 10_000)
	for i := range items {
		items[i] = map[string]any{"i": float64(i), "s": "x"}
	}
	tpl, err := CompileTemplate("{% $states.input %}")
	if err != nil {
		b.Fatal(err)
	}
	bindings := Bindings{States: map[string]any{"input": map[string]any{"items": items}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpl.Evaluate(bindings); err != nil {
			b.Fatal(err)
		}
	}
}
