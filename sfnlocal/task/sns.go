package task

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// SNS runs arn:aws:states:::sns:publish by recording the published messages in
// memory, for tests and local runs to inspect. Safe for concurrent use.
type SNS struct {
	env    Env
	mu     sync.Mutex
	topics map[string]bool // nil: every topic exists
	sent   []Message
	// published is closed and replaced on every publish, waking Await.
	published chan struct{}
}

// Message is one published SNS message.
type Message struct {
	MessageID              string
	TopicArn               string
	TargetArn              string
	PhoneNumber            string
	Subject                string
	Message                string // a non-string Message argument is sent JSON-encoded, as Step Functions does
	MessageStructure       string
	MessageGroupID         string
	MessageDeduplicationID string
	MessageAttributes      map[string]MessageAttribute
}

// MessageAttribute is an SNS message attribute.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// NewSNS returns a recorder. With topics, publishing to any other topic fails like
// SNS (SNS.NotFoundException); without, every topic exists.
func NewSNS(env Env, topics ...string) *SNS {
	s := &SNS{env: env.withDefaults(), published: make(chan struct{})}
	for _, topic := range topics {
		s.CreateTopic(topic)
	}
	return s
}

// CreateTopic makes a topic exist; from the first one on, only created topics do.
func (s *SNS) CreateTopic(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics == nil {
		s.topics = map[string]bool{}
	}
	s.topics[arn] = true
}

// Messages returns the messages published so far, oldest first.
func (s *SNS) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// Await waits until at least n messages have been published and returns them all,
// or returns ctx's error.
func (s *SNS) Await(ctx context.Context, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		sent, published := s.sent, s.published
		s.mu.Unlock()
		if len(sent) >= n {
			return append([]Message(nil), sent...), nil
		}
		select {
		case <-published:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

var snsPublishFields = map[string]bool{
	"TopicArn": true, "TargetArn": true, "PhoneNumber": true, "Message": true, "Subject": true,
	"MessageStructure": true, "MessageAttributes": true, "MessageGroupId": true, "MessageDeduplicationId": true,
}

// Invoke publishes the message the sns:publish arguments describe.
func (s *SNS) Invoke(_ context.Context, req Request) (any, error) {
	args, err := argumentObject(req.Arguments, snsPublishFields)
	if err != nil {
		return nil, err
	}
	requestID := s.env.NewID()
	msg, err := s.messageFrom(args, requestID)
	if err != nil {
		return nil, err
	}
	msg.MessageID = s.env.NewID()
	if err := s.record(msg, requestID); err != nil {
		return nil, err
	}
	body := publishResponseXML(msg.MessageID, requestID)
	return withSdkMetadata(jsonvalue.ObjectOf("MessageId", msg.MessageID), requestID, []httpHeader{
		{"x-amzn-RequestId", requestID},
		{"Content-Length", contentLength(body)},
		{"Date", httpDate(s.env.Now())},
		{"Content-Type", "text/xml"},
	}), nil
}

func (s *SNS) record(msg Message, requestID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics != nil && msg.TopicArn != "" && !s.topics[msg.TopicArn] {
		return snsFailure(http.StatusNotFound, "NotFound", "Topic does not exist", requestID)
	}
	s.sent = append(s.sent, msg)
	close(s.published)
	s.published = make(chan struct{})
	return nil
}

func (s *SNS) messageFrom(args *jsonvalue.Object, requestID string) (Message, error) {
	var msg Message
	for _, f := range []struct {
		name   string
		target *string
	}{
		{"TopicArn", &msg.TopicArn}, {"TargetArn", &msg.TargetArn}, {"PhoneNumber", &msg.PhoneNumber},
		{"Subject", &msg.Subject}, {"MessageStructure", &msg.MessageStructure},
		{"MessageGroupId", &msg.MessageGroupID}, {"MessageDeduplicationId", &msg.MessageDeduplicationID},
	} {
		value, err := optionalString(args, f.name)
		if err != nil {
			return Message{}, err
		}
		*f.target = value
	}
	message, _ := args.Get("Message")
	text, err := snsMessageText(message)
	if err != nil {
		return Message{}, err
	}
	msg.Message = text
	if msg.TopicArn == "" && msg.TargetArn == "" && msg.PhoneNumber == "" {
		return Message{}, snsFailure(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter", requestID)
	}
	if msg.Message == "" {
		return Message{}, snsFailure(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: Empty message", requestID)
	}
	attributes, _ := args.Get("MessageAttributes")
	msg.MessageAttributes, err = snsMessageAttributes(attributes, requestID)
	return msg, err
}

// snsMessageText is the message SNS receives: the optimised integration sends a
// Message that is not a string JSON-encoded.
func snsMessageText(message any) (string, error) {
	switch m := message.(type) {
	case nil:
		return "", nil
	case string:
		return m, nil
	}
	encoded, err := marshalJSON(message)
	return string(encoded), err
}

func snsMessageAttributes(value any, requestID string) (map[string]MessageAttribute, error) {
	if value == nil {
		return nil, nil
	}
	raw, ok := value.(*jsonvalue.Object)
	if !ok {
		return nil, failure.New(failure.Runtime, "The value for the field \"MessageAttributes\" must be an OBJECT, not %s", jsonTypeName(value))
	}
	attributes := make(map[string]MessageAttribute, raw.Len())
	for _, member := range raw.Members() {
		name := member.Key
		fields, _ := member.Value.(*jsonvalue.Object)
		field := func(key string) any { v, _ := fields.Get(key); return v }
		dataType, _ := field("DataType").(string)
		if dataType == "" {
			return nil, snsFailure(http.StatusBadRequest, "InvalidParameter",
				fmt.Sprintf("Invalid parameter: MessageAttributes.%s.DataType Reason: no value for required parameter", name), requestID)
		}
		attribute := MessageAttribute{DataType: dataType}
		attribute.StringValue, _ = field("StringValue").(string)
		if binary, ok := field("BinaryValue").(string); ok {
			decoded, err := base64.StdEncoding.DecodeString(binary)
			if err != nil {
				return nil, snsFailure(http.StatusBadRequest, "InvalidParameter",
					fmt.Sprintf("Invalid parameter: MessageAttributes.%s.BinaryValue Reason: not base64", name), requestID)
			}
			attribute.BinaryValue = decoded
		}
		attributes[name] = attribute
	}
	return attributes, nil
}

// snsFailure is an SNS error as Step Functions reports it: the error code with an
// Exception suffix, prefixed SNS.
func snsFailure(status int, code, message, requestID string) *failure.Error {
	return &failure.Error{
		Name:  "SNS." + code + "Exception",
		Cause: serviceErrorCause(message, "AmazonSNS", status, code, requestID),
	}
}

// publishResponseXML is the body SNS answers Publish with; only its length is used,
// for the Content-Length header.
func publishResponseXML(messageID, requestID string) []byte {
	return fmt.Appendf(nil, "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"+
		"  <PublishResult>\n    <MessageId>%s</MessageId>\n  </PublishResult>\n"+
		"  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n</PublishResponse>\n",
		messageID, requestID)
}
