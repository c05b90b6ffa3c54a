package task

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

const (
	snsPublish = "arn:aws:states:::sns:publish"
	fareTopic  = "arn:aws:sns:us-east-1:000000000000:FareOutcome"
)

func TestSNSPublishRecordsTheMessage(t *testing.T) {
	sns := NewSNS(testEnv(), fareTopic)
	registry := NewRegistry()
	registry.Handle(KindSNSPublish, sns)

	got, err := invokePlain(registry, context.Background(), Request{Resource: snsPublish, Arguments: map[string]any{
		"TopicArn": fareTopic, "Subject": "fare", "Message": map[string]any{"fareId": "f1", "note": "a<b"},
		"MessageAttributes": map[string]any{
			"IsSuccessful": map[string]any{"DataType": "String", "StringValue": "true"},
			"Raw":          map[string]any{"DataType": "Binary", "BinaryValue": "AQI="},
		},
	}})
	require.NoError(t, err)
	requestID, messageID := id(1), id(2)
	assert.Equal(t, map[string]any{
		"MessageId": messageID,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": map[string]any{"x-amzn-RequestId": []any{requestID}, "Content-Length": []any{"294"},
				"Date": []any{"Tue, 04 Mar 2025 05:06:07 GMT"}, "Content-Type": []any{"text/xml"}},
			"HttpHeaders": map[string]any{"x-amzn-RequestId": requestID, "Content-Length": "294",
				"Date": "Tue, 04 Mar 2025 05:06:07 GMT", "Content-Type": "text/xml"},
			"HttpStatusCode": 200.0,
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
	}, got)
	assert.Equal(t, []Message{{
		MessageID: messageID, TopicArn: fareTopic, Subject: "fare", Message: `{"fareId":"f1","note":"a<b"}`,
		MessageAttributes: map[string]MessageAttribute{
			"IsSuccessful": {DataType: "String", StringValue: "true"},
			"Raw":          {DataType: "Binary", BinaryValue: []byte{1, 2}},
		},
	}}, sns.Messages())
}

func TestSNSPublishFailures(t *testing.T) {
	tests := []struct {
		name string
		args any
		want *failure.Error
	}{
		{"an unknown topic", map[string]any{"TopicArn": fareTopic + "-typo", "Message": "m"}, &failure.Error{Name: "SNS.NotFoundException",
			Cause: "Topic does not exist (Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: " + id(1) + "; Proxy: null)"}},
		{"no message", map[string]any{"TopicArn": fareTopic}, &failure.Error{Name: "SNS.InvalidParameterException",
			Cause: "Invalid parameter: Empty message (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: " + id(1) + "; Proxy: null)"}},
		{"no destination", map[string]any{"Message": "m"}, &failure.Error{Name: "SNS.InvalidParameterException",
			Cause: "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: " + id(1) + "; Proxy: null)"}},
		{"an attribute without a type", map[string]any{"TopicArn": fareTopic, "Message": "m", "MessageAttributes": map[string]any{"a": map[string]any{"StringValue": "x"}}},
			&failure.Error{Name: "SNS.InvalidParameterException",
				Cause: "Invalid parameter: MessageAttributes.a.DataType Reason: no value for required parameter (Service: AmazonSNS; Status Code: 400; Error Code: InvalidParameter; Request ID: " + id(1) + "; Proxy: null)"}},
		{"an unknown field", map[string]any{"TopicArn": fareTopic, "Message": "m", "Body": "x"},
			&failure.Error{Name: failure.Runtime, Cause: `The field "Body" is not supported by Step Functions`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sns := NewSNS(testEnv(), fareTopic)
			_, err := invokePlain(sns, context.Background(), Request{Resource: snsPublish, Arguments: tt.args})
			assert.Equal(t, tt.want, err)
			assert.Empty(t, sns.Messages())
		})
	}
}

func TestSNSWithoutTopicsAcceptsAnyTopic(t *testing.T) {
	sns := NewSNS(testEnv())
	_, err := invokePlain(sns, context.Background(), Request{Resource: snsPublish, Arguments: map[string]any{"TopicArn": "arn:aws:sns:eu-west-1:1:any", "Message": "m"}})
	require.NoError(t, err)
	assert.Len(t, sns.Messages(), 1)
}

func TestSNSAwait(t *testing.T) {
	sns := NewSNS(testEnv())
	const n = 20
	for i := range n {
		go func() {
			_, err := invokePlain(sns, context.Background(), Request{Resource: snsPublish,
				Arguments: map[string]any{"TopicArn": fareTopic, "Message": float64(i)}})
			assert.NoError(t, err)
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	messages, err := sns.Await(ctx, n)
	require.NoError(t, err)
	assert.Len(t, messages, n)

	short, cancelShort := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancelShort()
	_, err = sns.Await(short, n+1)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
