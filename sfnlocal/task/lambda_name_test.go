package task

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFunctionName(t *testing.T) {
	tests := []struct {
		in   string
		want functionName
	}{
		{"f", functionName{name: "f"}},
		{"my-Func_1:live", functionName{name: "my-Func_1", qualifier: "live"}},
		{"f:7", functionName{name: "f", qualifier: "7"}},
		{"123456789012:function:f", functionName{account: "123456789012", name: "f"}},
		{"123456789012:function:f:$LATEST", functionName{account: "123456789012", name: "f", qualifier: "$LATEST"}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", functionName{region: "eu-west-1", account: "123456789012", name: "f", isARN: true}},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f:3", functionName{region: "eu-west-1", account: "123456789012", name: "f", qualifier: "3", isARN: true}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseFunctionName(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseFunctionNameRefusesWhatLambdaRefuses(t *testing.T) {
	for _, in := range []string{"", "f:", "f g", "a:b:c", "12:function:f", "arn:aws:lambda::123456789012:function:f",
		"arn:aws:s3:eu-west-1:123456789012:function:f", "arn:aws:lambda:eu-west-1:123456789012:function:f:1:2", "f:bad qualifier"} {
		t.Run(in, func(t *testing.T) {
			_, err := parseFunctionName(in)
			assert.Error(t, err)
		})
	}
}

func TestFunctionNameVersionAndARN(t *testing.T) {
	env := testEnv().withDefaults()
	tests := []struct{ in, version, qualifiedARN string }{
		{"f", "$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST"},
		{"f:12", "12", "arn:aws:lambda:us-east-1:000000000000:function:f:12"},
		{"f:live", "$LATEST", "arn:aws:lambda:us-east-1:000000000000:function:f:live"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:f", "$LATEST", "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST"},
	}
	for _, tt := range tests {
		name, err := parseFunctionName(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.version, name.version(), tt.in)
		assert.Equal(t, tt.qualifiedARN, name.in(env).qualifiedARN(), tt.in)
	}
}
