package task

import (
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOutputShapesCheckMockedResults(t *testing.T) {
	tests := []struct {
		resource, result string
		strict           bool
		want             string // "" when it fits
	}{
		{"arn:aws:states:::states:startExecution", `{}`, true, "Required field 'ExecutionArn' is missing"},
		{"arn:aws:states:::states:startExecution", `{}`, false, ""},
		{"arn:aws:states:::states:startExecution", `{"ExecutionArn":"a","StartDate":true}`, true, "Field 'StartDate' must be a string"},
		{"arn:aws:states:::events:putEvents", `{"Entries":[{"EventId":"x"},{"EventId":[1]}]}`, true, "Field 'EventId' must be a string"},
		{"arn:aws:states:::events:putEvents", `{"Entries":"x"}`, false, "Field 'Entries' must be an array"},
		{"arn:aws:states:::events:putEvents", `{"random":"json"}`, true, ""},
		{"arn:aws:states:::aws-sdk:lambda:getFunction", `{"Configuration":{"MemorySize":127}}`, true, "Field 'MemorySize' is less than the minimum value"},
		{"arn:aws:states:::aws-sdk:kms:encrypt", `{"CiphertextBlob":""}`, true, "Field 'CiphertextBlob' is smaller than the minimum length"},
		{"arn:aws:states:::aws-sdk:s3:getObject", `{"StorageClass":"Papyrus"}`, true, "Field 'StorageClass' is not an expected value"},
		{"arn:aws:states:::dynamodb:putItem", `{"ConsumedCapacity":{"CapacityUnits":"1"}}`, true, "Field 'CapacityUnits' must be a number"},
	}
	for _, tt := range tests {
		shape := OutputShape(tt.resource)
		require.NotNil(t, shape, tt.resource)
		v, err := jsonvalue.ParseString(tt.result)
		require.NoError(t, err)
		err = shape.Validate(v, tt.strict)
		if tt.want == "" {
			assert.NoError(t, err, "%s %s", tt.resource, tt.result)
		} else {
			assert.EqualError(t, err, tt.want, "%s %s", tt.resource, tt.result)
		}
	}
	assert.Nil(t, OutputShape("arn:aws:states:::aws-sdk:ec2:describeInstances"), "not validated")
}
