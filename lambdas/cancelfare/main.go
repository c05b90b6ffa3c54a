// Command cancelfare is the CancelFare Lambda of the fare-collection saga.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faresaga/faresaga/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Must(lambdaenv.Load(context.Background()))
	lambda.Start(lambdaenv.Must(env.FareService()).CancelFare)
}
