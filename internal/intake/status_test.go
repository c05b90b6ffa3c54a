package intake

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Where a fare stands when nothing was written for it: what its execution says, and
// never a final word that a resume would take back.
func TestTheStatusOfAFareWithNoRecord(t *testing.T) {
	fare := `{"fareId":"fare-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`
	tests := []struct {
		name   string
		status sfntypes.ExecutionStatus
		input  string
		want   string
	}{
		{"running", sfntypes.ExecutionStatusRunning, fare, StatusRunning},
		{"succeeded (a machine without RegisterFare)", sfntypes.ExecutionStatusSucceeded, fare, StatusCompleted},
		{"failed: RegisterFare refused it", sfntypes.ExecutionStatusFailed, `{"fareId":"fare-1"}`, StatusCancelled},
		// The watcher writes it NEEDS_ATTENTION: the Lambda it had invoked may still.
		{"stopped before the fare was written", sfntypes.ExecutionStatusAborted, fare, StatusNeedsAttention},
		{"timed out before the fare was written", sfntypes.ExecutionStatusTimedOut, fare, StatusNeedsAttention},
		{"stopped, with an input that is no fare", sfntypes.ExecutionStatusAborted, `{"fareId":"fare-1"}`, StatusCancelled},
		{"stopped, with another fare's input", sfntypes.ExecutionStatusAborted,
			`{"fareId":"fare-2","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`, StatusCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := holding{execution: &sfn.DescribeExecutionOutput{Name: aws.String("fare-1"), Status: tt.status, Input: aws.String(tt.input)}}
			assert.Equal(t, tt.want, h.fareStatus())
		})
	}
}
