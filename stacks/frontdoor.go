package stacks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
)

// FrontDoorFunction is lambdas/<FrontDoorFunction>: the door's Lambda.
const FrontDoorFunction = "intake"

// FrontDoorRoutes are the routes of the fare API, all behind IAM authorisation.
var FrontDoorRoutes = []struct{ Method, Path string }{
	{"POST", "/fares"},
	{"GET", "/fares/{fareId}"},
	{"POST", "/fares/{fareId}/resume"},
}

// Door throttling: a fare is one request; a burst well above a city's peak, and a steady
// rate that keeps a runaway client from starting thousands of executions a minute.
const (
	FrontDoorRateLimit  = 50
	FrontDoorBurstLimit = 100
)

// asset finds <root>/<function>/bootstrap, for the functions beyond the saga's own.
func asset(root, function string) (string, error) {
	dir, err := filepath.Abs(filepath.Join(root, function))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		return "", fmt.Errorf("no Lambda asset for %s at %s (run `make build` first): %w",
			function, filepath.Join(root, function, "bootstrap"), err)
	}
	return dir, nil
}

// addFrontDoor creates the only way in that keeps card data out of the execution
// history: an HTTP API with IAM authorisation in front of a function that validates the
// fare, refuses card data, and starts the execution with the fareId as its name. Its role
// is the only one in the stack that may start executions of the machine.
func (s *FareCollectionStack) addFrontDoor(settings stageSettings, asset string) {
	fares := s.Tables[tables.Fares.Name]
	s.FrontDoor = s.newFunction(settings, functionProps{
		id:          "FrontDoor",
		name:        FrontDoorFunction,
		description: "faresaga " + FrontDoorFunction + ": the fare API; validates fares and starts their executions",
		asset:       asset,
		environment: map[string]*string{
			lambdaenv.StateMachineARNVar: s.StateMachine.StateMachineArn(),
			tables.Fares.EnvVar:          fares.TableName(),
		},
		// It reads a fare to answer GET /fares/{fareId} and a repeated POST; a resume takes
		// a stuck fare back from NEEDS_ATTENTION (and puts the mark back if it must).
		dynamoDB: []tableAccess{{tables.Fares.Name, fares, doorFaresActions}},
		// The API lets at most FrontDoorBurstLimit requests in at once: the function
		// never throttles what the API admitted.
		reservedConcurrency: FrontDoorBurstLimit,
	})
	for _, statement := range []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("StartFareExecutions"),
			Actions:   jsii.Strings("states:StartExecution"),
			Resources: &[]*string{s.StateMachine.StateMachineArn()},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DescribeAndResumeFareExecutions"),
			Actions:   jsii.Strings("states:DescribeExecution", "states:RedriveExecution"),
			Resources: &[]*string{s.executionsArn()},
		}),
		s.executionDataStatement("EncryptAndReadExecutionData", "kms:GenerateDataKey", "kms:Decrypt"),
	} {
		s.FrontDoor.AddToRolePolicy(statement)
	}

	accessLogs := awslogs.NewLogGroup(s.Stack, jsii.String("FareApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     settings.logRetention,
		RemovalPolicy: settings.removalPolicy,
	})
	s.FareAPI = awsapigatewayv2.NewHttpApi(s.Stack, jsii.String("FareApi"), &awsapigatewayv2.HttpApiProps{
		ApiName:           jsii.String(*s.StackName() + "-fares"),
		Description:       jsii.String("faresaga " + string(s.Stage) + ": POST /fares, GET /fares/{fareId}, POST /fares/{fareId}/resume"),
		DefaultAuthorizer: awsapigatewayv2authorizers.NewHttpIamAuthorizer(),
	})
	integration := awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("FrontDoorIntegration"), s.FrontDoor, nil)
	for _, route := range FrontDoorRoutes {
		s.FareAPI.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
			Path:        jsii.String(route.Path),
			Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod(route.Method)},
			Integration: integration,
		})
	}
	// The default stage's access log and throttling, set on the CloudFormation resource:
	// the L2 takes access logs only through an interface Go code cannot implement.
	stage := s.FareAPI.DefaultStage().Node().DefaultChild().(awsapigatewayv2.CfnStage)
	stage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: accessLogs.LogGroupArn(),
		// Who called what and how it went; never a body, so never a fare.
		Format: jsii.String(`{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",` +
			`"caller":"$context.identity.caller","user":"$context.identity.user","userArn":"$context.identity.userArn",` +
			`"requestTime":"$context.requestTime","routeKey":"$context.routeKey","status":"$context.status",` +
			`"responseLength":"$context.responseLength","integrationError":"$context.integrationErrorMessage"}`),
	})
	stage.SetDefaultRouteSettings(&awsapigatewayv2.CfnStage_RouteSettingsProperty{
		ThrottlingRateLimit:  jsii.Number(FrontDoorRateLimit),
		ThrottlingBurstLimit: jsii.Number(FrontDoorBurstLimit),
	})
}
