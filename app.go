// Command faresaga's CDK app: synthesizes FareCollection-<stage> (cdk synth -c stage=prod,
// -c gateway=stripe), with arm64 functions unless -c lambdaArchitecture=x86_64 (LocalStack
// on an x86 host).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/faresaga/faresaga/stacks"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stage, err := stacks.StageFromContext(app)
	var architecture stacks.Architecture
	if err == nil {
		architecture, err = stacks.ArchitectureFromContext(app)
	}
	var gateway stacks.Gateway
	var stripeSecret string
	if err == nil {
		gateway, stripeSecret, err = stacks.GatewayFromContext(app)
	}
	if err == nil {
		_, err = stacks.NewFareCollectionStack(app, stacks.StackID(stage), &stacks.FareCollectionStackProps{Stage: stage,
			Architecture: architecture, Gateway: gateway, StripeSecretName: stripeSecret})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cdk app:", err)
		jsii.Close()
		os.Exit(1)
	}
	app.Synth(nil)
}
