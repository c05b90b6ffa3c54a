// Command intake is the front door's Lambda: API Gateway's HTTP API (payload format 2.0)
// in front of internal/intake, which validates fares and starts their executions.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faresaga/faresaga/internal/apigateway"
	"github.com/faresaga/faresaga/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Must(lambdaenv.Load(context.Background()))
	lambda.Start(apigateway.Handler(lambdaenv.Must(env.Door())))
}
