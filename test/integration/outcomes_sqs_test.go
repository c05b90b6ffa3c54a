package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueOutcomes reads the outcome queues of a deployed stack. Every scenario waits on
// the same queues, so one reader per queue receives everything and files it by fare;
// a scenario waiting for its fare never takes another's message.
type queueOutcomes struct {
	client *sqs.Client
	stop   context.CancelFunc
	done   sync.WaitGroup

	mu      sync.Mutex
	byFare  map[string][]OutcomeMessage
	seen    map[string]bool // SNS MessageIds: SQS may deliver a message more than once
	arrived chan struct{}   // closed and replaced whenever a message is filed
	lastErr error
}

func startQueueOutcomes(client *sqs.Client, queueURLs map[string]string) *queueOutcomes {
	ctx, stop := context.WithCancel(context.Background())
	o := &queueOutcomes{client: client, stop: stop, byFare: map[string][]OutcomeMessage{},
		seen: map[string]bool{}, arrived: make(chan struct{})}
	for name, url := range queueURLs {
		o.done.Add(1)
		go func() {
			defer o.done.Done()
			o.read(ctx, name, url)
		}()
	}
	return o
}

// Close stops the readers; a long poll in flight ends with the context.
func (o *queueOutcomes) Close() {
	o.stop()
	o.done.Wait()
}

// snsEnvelope is an SQS body when the subscription's raw delivery is off.
type snsEnvelope struct {
	MessageID         string `json:"MessageId"`
	Message           string
	MessageAttributes map[string]struct{ Type, Value string }
}

func (o *queueOutcomes) read(ctx context.Context, name, url string) {
	for ctx.Err() == nil {
		out, err := o.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 10,
			// Messages of other users of the queue are left alone; this hides them
			// from us for a while rather than receiving them in a loop.
			VisibilityTimeout: 60,
		})
		if err != nil {
			if ctx.Err() == nil {
				o.setErr(fmt.Errorf("receive from %s: %w", name, err))
				time.Sleep(time.Second)
			}
			continue
		}
		var ours []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			msg, err := decodeEnvelope(aws.ToString(m.Body))
			if err != nil {
				o.setErr(fmt.Errorf("%s: %w", name, err))
				continue
			}
			// Test fares only: this run's, and leftovers of runs that stopped early.
			if strings.HasPrefix(msg.FareID, testFarePrefix) {
				o.file(msg)
				ours = append(ours, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
			}
		}
		if len(ours) > 0 {
			o.delete(ctx, name, url, ours)
		}
	}
}

// delete removes filed messages from the queue. It outlives Close's cancellation, so
// the messages received last are not left behind for the next run.
func (o *queueOutcomes) delete(ctx context.Context, name, url string, entries []sqstypes.DeleteMessageBatchRequestEntry) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := o.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
		o.setErr(fmt.Errorf("delete from %s: %w", name, err))
	}
}

func decodeEnvelope(body string) (OutcomeMessage, error) {
	var envelope snsEnvelope
	if err := json.Unmarshal([]byte(body), &envelope); err != nil || envelope.Message == "" {
		return OutcomeMessage{}, fmt.Errorf("not an SNS envelope (is raw message delivery on?): %.200s", body)
	}
	attributes := map[string]string{}
	for name, attribute := range envelope.MessageAttributes {
		attributes[name] = attribute.Value
	}
	return decodeOutcome(envelope.MessageID, envelope.Message, attributes)
}

func (o *queueOutcomes) file(msg OutcomeMessage) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[msg.ID] {
		return
	}
	o.seen[msg.ID] = true
	o.byFare[msg.FareID] = append(o.byFare[msg.FareID], msg)
	close(o.arrived)
	o.arrived = make(chan struct{})
}

func (o *queueOutcomes) setErr(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lastErr = err
}

func (o *queueOutcomes) Received(fareID string) []OutcomeMessage {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]OutcomeMessage(nil), o.byFare[fareID]...)
}

func (o *queueOutcomes) Await(ctx context.Context, fareID string) (OutcomeMessage, error) {
	for {
		o.mu.Lock()
		found, arrived, lastErr := o.byFare[fareID], o.arrived, o.lastErr
		o.mu.Unlock()
		if len(found) > 0 {
			return found[0], nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return OutcomeMessage{}, fmt.Errorf("no outcome message for fare %s on the queues (last queue error: %v): %w", fareID, lastErr, ctx.Err())
		}
	}
}
