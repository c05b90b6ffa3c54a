package steperr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNameIsTheGoTypeName(t *testing.T) {
	tests := []struct {
		err  error
		name string
	}{
		{&InvalidFareInput{}, "InvalidFareInput"},
		{&GatewayUnavailable{}, "GatewayUnavailable"},
		{&Throttled{}, "Throttled"},
		{&PaymentDeclined{}, "PaymentDeclined"},
		{errors.New("x"), "errorString"},
		{fmt.Errorf("x: %w", &Throttled{}), "wrapError"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, Name(tt.err))
	}
}

func TestForStepFunctionsUnwrapsToADeliberateName(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"typed passes through", &PaymentDeclined{Reason: "r"}, "PaymentDeclined"},
		{"wrapped typed is unwrapped", fmt.Errorf("charge: %w", &CaptureDeclined{}), "CaptureDeclined"},
		{"joined typed is found", errors.Join(errors.New("a"), &Throttled{}), "Throttled"},
		{"dynamodb throughput", fmt.Errorf("put: %w", &types.ProvisionedThroughputExceededException{}), "Throttled"},
		{"dynamodb request limit", &types.RequestLimitExceeded{}, "Throttled"},
		{"anything else", errors.New("boom"), "UnexpectedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ForStepFunctions("op", tt.err)
			require.Error(t, got)
			assert.Equal(t, tt.want, Name(got))
		})
	}
	assert.NoError(t, ForStepFunctions("op", nil))
}

func TestForStepFunctionsKeepsTheMessage(t *testing.T) {
	got := ForStepFunctions("op", fmt.Errorf("ctx: %w", &PaymentDeclined{Reason: "insufficient funds"}))
	assert.Equal(t, "payment declined: insufficient funds", got.Error())
	assert.Equal(t, "unexpected error during put fare: boom", ForStepFunctions("put fare", errors.New("boom")).Error())
}

func TestAllNamesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, err := range All() {
		name := Name(err)
		assert.False(t, seen[name], name)
		seen[name] = true
	}
}
