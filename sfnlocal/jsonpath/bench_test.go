package jsonpath

import (
	"testing"
)

// benchInput is a typical task result: a Lambda response with a payload.
const benchInput = `{
	"orderId": "o-123", "customer": {"id": "c-9", "name": "Ann", "tier": "gold"},
	"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}, {"sku": "c", "qty": 3}],
	"total": 42.5, "currency": "EUR", "flags": {"rush": true}
}`

func BenchmarkParametersTemplate(b *testing.B) {
	tmpl, err := CompileTemplate(decode(b, `{
		"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:charge",
		"Payload": {
			"orderId.$": "$.orderId",
			"customer.$": "$.customer.id",
			"amount.$": "$.total",
			"firstSku.$": "$.items[0].sku",
			"execution.$": "$$.Execution.Id",
			"label.$": "States.Format('order {} for {}', $.orderId, $.customer.name)"
		}
	}`))
	if err != nil {
		b.Fatal(err)
	}
	input := decode(b, benchInput)
	env := testEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(input, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResultPathMerge(b *testing.B) {
	path := MustCompile("$.charge.result")
	input := decode(b, benchInput)
	result := decode(b, `{"StatusCode": 200, "Payload": {"ok": true}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ApplyResultPath(path, input, result); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDefinitePath(b *testing.B) {
	path := MustCompile("$.customer.name")
	input := decode(b, benchInput)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := path.Eval(input, nil); err != nil {
			b.Fatal(err)
		}
	}
}
