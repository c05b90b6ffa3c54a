// Package dynamotest serves the DynamoDB wire protocol in-process (minidyn's HTTP
// handler on a loopback port) with the saga's tables created, so tests exercise the
// ordinary aws-sdk-go-v2 client, request encoding and condition expressions included.
package dynamotest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	miniserver "github.com/truora/minidyn/server"

	"github.com/faresaga/faresaga/internal/tables"
)

// Endpoint is a running local DynamoDB endpoint.
type Endpoint struct {
	URL    string
	Client *dynamodb.Client
	Server *miniserver.Server
}

// Start serves a fresh endpoint with every table created; it stops with the test.
func Start(t testing.TB) *Endpoint {
	t.Helper()
	server := miniserver.NewServer()
	httpServer := httptest.NewServer(Guard(server))
	t.Cleanup(httpServer.Close)
	client := NewClient(httpServer.URL)
	if err := tables.CreateAll(context.Background(), client); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return &Endpoint{URL: httpServer.URL, Client: client, Server: server}
}

// NewClient returns a DynamoDB client for a local endpoint, with static credentials so
// nothing looks for a real AWS account.
func NewClient(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  aws.AnonymousCredentials{},
	})
}
