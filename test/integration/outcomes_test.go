package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/sfnlocal/task"
)

// OutcomeMessage is what the saga published on the fare outcome topic about one fare.
type OutcomeMessage struct {
	ID             string         // SNS's MessageId: the same for every copy SQS delivers
	FareID         string         // from the body
	Body           map[string]any // the published Message, decoded
	IsSuccessful   string         // message attribute: "true" or "false"
	NeedsAttention string         // message attribute: "true" on alerts, "" otherwise
}

// Outcomes reads the outcome messages of a target, by fare.
type Outcomes interface {
	// Await waits for the first outcome message about the fare.
	Await(ctx context.Context, fareID string) (OutcomeMessage, error)
	// Received lists the outcome messages about the fare seen so far, each once.
	Received(fareID string) []OutcomeMessage
}

// decodeOutcome builds a message from a published body and its attributes; the
// fareId in the body is how messages are told apart, on shared queues too.
func decodeOutcome(id, body string, attributes map[string]string) (OutcomeMessage, error) {
	msg := OutcomeMessage{ID: id, IsSuccessful: attributes["IsSuccessful"], NeedsAttention: attributes["NeedsAttention"]}
	if err := json.Unmarshal([]byte(body), &msg.Body); err != nil {
		return msg, fmt.Errorf("outcome message %s is not a JSON object: %w", id, err)
	}
	msg.FareID, _ = msg.Body["fareId"].(string)
	return msg, nil
}

// topicOutcomes reads the local target's recording topic, which holds every message
// published since the server started.
type topicOutcomes struct {
	topic *task.SNS
	poll  time.Duration
}

func (o *topicOutcomes) Received(fareID string) []OutcomeMessage {
	var found []OutcomeMessage
	for _, published := range o.topic.Messages() {
		attributes := map[string]string{}
		for name, attribute := range published.MessageAttributes {
			attributes[name] = attribute.StringValue
		}
		msg, err := decodeOutcome(published.MessageID, published.Message, attributes)
		if err == nil && msg.FareID == fareID {
			found = append(found, msg)
		}
	}
	return found
}

func (o *topicOutcomes) Await(ctx context.Context, fareID string) (OutcomeMessage, error) {
	for {
		if found := o.Received(fareID); len(found) > 0 {
			return found[0], nil
		}
		select {
		case <-ctx.Done():
			return OutcomeMessage{}, fmt.Errorf("no outcome message for fare %s on the recording topic: %w", fareID, ctx.Err())
		case <-time.After(o.poll):
		}
	}
}

// awaitOutcome waits for the fare's outcome message.
func awaitOutcome(t *testing.T, tg *Target, fareID string) OutcomeMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tg.Timeouts.Message)
	defer cancel()
	msg, err := tg.Outcomes.Await(ctx, fareID)
	require.NoError(t, err)
	return msg
}

// awaitMessages waits until n outcome messages about the fare have arrived.
func awaitMessages(t *testing.T, tg *Target, fareID string, n int) []OutcomeMessage {
	t.Helper()
	deadline := time.Now().Add(tg.Timeouts.Message)
	for {
		got := tg.Outcomes.Received(fareID)
		if len(got) >= n || time.Now().After(deadline) {
			require.Len(t, got, n, "outcome messages about %s", fareID)
			return got
		}
		time.Sleep(tg.Timeouts.Poll)
	}
}
