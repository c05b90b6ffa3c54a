package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The queue reader is the one part of the deployed targets that no local run
// exercises, so it is checked here against a fake SQS that serves SNS envelopes.

// fakeSQS answers ReceiveMessage with each queued body once, and records deletions.
type fakeSQS struct {
	mu      sync.Mutex
	bodies  []string
	deleted []string // receipt handles
}

func (f *fakeSQS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "AmazonSQS.ReceiveMessage":
		var messages []map[string]string
		for i, body := range f.bodies {
			messages = append(messages, map[string]string{"MessageId": "sqs-" + string(rune('a'+i)), "ReceiptHandle": "rh-" + string(rune('a'+i)), "Body": body})
		}
		f.bodies = nil
		if messages == nil {
			time.Sleep(20 * time.Millisecond) // a short long poll
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Messages": messages})
	case "AmazonSQS.DeleteMessageBatch":
		var in struct {
			Entries []struct{ Id, ReceiptHandle string }
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		var ok []map[string]string
		for _, e := range in.Entries {
			f.deleted = append(f.deleted, e.ReceiptHandle)
			ok = append(ok, map[string]string{"Id": e.Id})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Successful": ok, "Failed": []any{}})
	default:
		http.Error(w, "unexpected "+target, http.StatusBadRequest)
	}
}

func envelope(t *testing.T, snsID, fareID string, attributes map[string]string) string {
	t.Helper()
	message, err := json.Marshal(map[string]any{"fareId": fareID, "status": "COMPLETED"})
	require.NoError(t, err)
	typed := map[string]map[string]string{}
	for name, value := range attributes {
		typed[name] = map[string]string{"Type": "String", "Value": value}
	}
	body, err := json.Marshal(map[string]any{"Type": "Notification", "MessageId": snsID, "Message": string(message), "MessageAttributes": typed})
	require.NoError(t, err)
	return string(body)
}

func TestQueueReaderFilesSNSEnvelopesByFare(t *testing.T) {
	ours, theirs := fareID("queue-reader"), "fare-0001"
	fake := &fakeSQS{bodies: []string{
		envelope(t, "sns-1", ours, map[string]string{"IsSuccessful": "false", "NeedsAttention": "true"}),
		envelope(t, "sns-1", ours, map[string]string{"IsSuccessful": "false", "NeedsAttention": "true"}), // SQS delivered it twice
		envelope(t, "sns-2", theirs, map[string]string{"IsSuccessful": "true"}),
		`{"fareId":"raw delivery"}`,
	}}
	server := httptest.NewServer(fake)
	defer server.Close()
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(server.URL), Credentials: aws.AnonymousCredentials{}})

	reader := startQueueOutcomes(client, map[string]string{"FailedTransactions": server.URL + "/000000000000/failed"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg, err := reader.Await(ctx, ours)
	reader.Close()

	require.NoError(t, err)
	assert.Equal(t, OutcomeMessage{ID: "sns-1", FareID: ours, Body: map[string]any{"fareId": ours, "status": "COMPLETED"},
		IsSuccessful: "false", NeedsAttention: "true"}, msg)
	assert.Len(t, reader.Received(ours), 1, "a message delivered twice is one message")
	assert.Empty(t, reader.Received(theirs), "other people's fares are not ours to take")
	fake.mu.Lock()
	defer fake.mu.Unlock()
	assert.Equal(t, []string{"rh-a", "rh-b"}, fake.deleted, "only test fares are deleted from the queue")
	assert.True(t, strings.Contains(reader.lastErr.Error(), "not an SNS envelope"), "a raw body is reported: %v", reader.lastErr)
}
