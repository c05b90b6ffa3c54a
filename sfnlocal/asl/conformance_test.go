package asl

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/conformance"
	"github.com/faresaga/faresaga/statemachine"
)

func TestProjectDefinitionParses(t *testing.T) {
	def, warnings, err := Parse([]byte(statemachine.Definition))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Equal(t, JSONata, def.QueryLanguage)
	assert.Equal(t, "RegisterFare", def.StartAt)
	assert.Equal(t, int64(3600), def.TimeoutSeconds)
}

// The conformance suite lives beside the project, not in it: every definition there was
// accepted and executed by AWS, so each must parse.
func TestConformanceDefinitionsParse(t *testing.T) {
	files, _ := conformance.ExecutionFiles(conformance.Dir())
	if len(files) == 0 {
		t.Skip("no conformance cases in ../../../shared/conformance/cases: suite not checked out beside the project")
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			var recorded struct {
				Definition json.RawMessage `json:"definition"`
			}
			require.NoError(t, json.Unmarshal(data, &recorded))
			_, _, err = Parse(recorded.Definition)
			assert.NoError(t, err)
		})
	}
}
