package saga

import (
	"encoding/base64"
	"strings"
	"testing"
)

// hostileInputs are inputs of about MaxInputBytes built to make the detector work hard.
func hostileInputs() map[string]string {
	pad := func(unit string) string {
		return strings.Repeat(unit, (MaxInputBytes-120)/len(unit))
	}
	inputs := map[string]string{
		"digit pairs and separators": fareWith(`"note":"`+pad("12 ")+`"`, nil),
		"percent-encoded digits":     fareWith(`"note":"`+pad("%31")+`"`, nil),
		"html references":            fareWith(`"note":"`+pad("&#49;")+`"`, nil),
		"unicode escapes":            fareWith(`"note":"`+pad(`\\u0031`)+`"`, nil),
		"one base64 token":           fareWith(`"note":"`+pad("QUJD")+`"`, nil),
		"fullwidth digits":           fareWith(`"note":"`+pad("１ ")+`"`, nil),
		"array of digit strings":     fareWith(`"note":[`+strings.TrimSuffix(pad(`"12",`), ",")+`]`, nil),
		"nested arrays":              fareWith(`"note":`+strings.Repeat("[", 900)+strings.Repeat("]", 900), nil),
		"many short names":           fareWith(strings.TrimSuffix(pad(`"a1":1,`), ","), nil),
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(pad("1 ")[:2000]))
	inputs["base64 of digit pairs"] = fareWith(`"note":"`+b64[:min(len(b64), MaxInputBytes-150)]+`"`, nil)
	return inputs
}

func BenchmarkParseFare(b *testing.B) {
	b.Run("valid fare", func(b *testing.B) {
		input := []byte(validInput)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseFare(input); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, input := range hostileInputs() {
		b.Run("hostile "+name, func(b *testing.B) {
			raw := []byte(input)
			if len(raw) > MaxInputBytes {
				b.Fatalf("%d bytes", len(raw))
			}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseFare(raw); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

func BenchmarkRefuseCardData(b *testing.B) {
	input := []byte(validInput)
	b.ReportAllocs()
	for b.Loop() {
		if err := RefuseCardData(input); err != nil {
			b.Fatal(err)
		}
	}
}
