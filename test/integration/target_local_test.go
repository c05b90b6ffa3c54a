package integration

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/fareclient"
	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/internal/tables"
)

// startLocalTarget serves the embedded stack's Step Functions and DynamoDB APIs, and
// the front door in front of them, on free loopback ports. Virtual time makes retry
// backoffs free, so even the scenarios that exhaust a compensation's retry budget end
// at once.
func startLocalTarget(ctx context.Context) (*Target, error) {
	server, err := localapi.Start(ctx, localapi.Config{
		Listen: "127.0.0.1:0", DynamoDBListen: "127.0.0.1:0", APIListen: "127.0.0.1:0", VirtualTime: true, Seed: 1,
	})
	if err != nil {
		return nil, err
	}
	// The clients share a transport the target closes first: the server's graceful
	// shutdown waits seconds for connections a busy client dialled but never used.
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64
	httpClient := &http.Client{Transport: transport}
	door, err := fareclient.New(ctx, server.DoorURL, fareclient.Options{HTTP: httpClient})
	if err != nil {
		server.Close()
		return nil, err
	}
	return &Target{
		Name:            "local",
		DoorURL:         server.DoorURL,
		Door:            door,
		SFN:             sfn.New(localapi.NewSFNClient(server.Endpoint).Options(), func(o *sfn.Options) { o.HTTPClient = httpClient }),
		DynamoDB:        dynamodb.New(dynamotest.NewClient(server.Stack.DynamoDBURL).Options(), func(o *dynamodb.Options) { o.HTTPClient = httpClient }),
		StateMachineARN: server.StateMachineARN,
		Tables:          TableNames{Fares: tables.Fares.Name, Payments: tables.Payments.Name, CustomerAccounts: tables.CustomerAccounts.Name},
		Outcomes:        &topicOutcomes{topic: server.Stack.Topic, poll: 5 * time.Millisecond},
		Timeouts:        Timeouts{Execution: 30 * time.Second, CompensationFailure: 30 * time.Second, Message: 5 * time.Second, Poll: 2 * time.Millisecond},
		close: func() {
			transport.CloseIdleConnections()
			server.Close()
		},
	}, nil
}
