// Command attention is the saga's attention watcher: the target of the EventBridge rule
// on the fare machine's FAILED, ABORTED and TIMED_OUT executions.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faresaga/faresaga/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Must(lambdaenv.Load(context.Background()))
	watcher := lambdaenv.Must(env.Watcher())
	lambda.Start(func(ctx context.Context, e events.CloudWatchEvent) error {
		return watcher.HandleEvent(ctx, e.DetailType, e.Detail)
	})
}
