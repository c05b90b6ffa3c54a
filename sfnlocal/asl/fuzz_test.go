package asl

import (
	"testing"

	"github.com/faresaga/faresaga/statemachine"
)

// FuzzParse checks Parse never panics and always answers with a model or an error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(statemachine.Definition))
	for _, tc := range validDefinitions {
		f.Add([]byte(tc.definition))
	}
	for _, tc := range invalidDefinitions {
		f.Add([]byte(tc.definition))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def, _, err := Parse(data)
		if (def == nil) == (err == nil) {
			t.Fatalf("Parse returned definition %v with error %v", def, err)
		}
	})
}
