package stacks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/internal/tables"
	"github.com/faresaga/faresaga/statemachine"
)

// FunctionMemoryMB is every function's memory. Their timeout is
// statemachine.LambdaTimeoutSeconds, which the definition's Task timeouts stay above.
const FunctionMemoryMB = 256

// addTables creates every table of tables.All(), under its logical name as construct id.
func (s *FareCollectionStack) addTables(settings stageSettings) {
	for _, spec := range tables.All() {
		props := &awsdynamodb.TableProps{
			PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(spec.PartitionKey), Type: awsdynamodb.AttributeType_STRING},
			BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(true),
			},
			Encryption:         awsdynamodb.TableEncryption_AWS_MANAGED,
			RemovalPolicy:      settings.removalPolicy,
			DeletionProtection: jsii.Bool(settings.deletionProtection),
		}
		if spec.SortKey != "" {
			props.SortKey = &awsdynamodb.Attribute{Name: jsii.String(spec.SortKey), Type: awsdynamodb.AttributeType_STRING}
		}
		s.Tables[spec.Name] = awsdynamodb.NewTable(s.Stack, jsii.String(spec.Name), props)
	}
}

// functionAssets finds <root>/<name>/bootstrap for every function, so a missing build
// fails with a hint instead of deep inside the asset code.
func functionAssets(root string) (map[string]string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("asset root %q: %w", root, err)
	}
	assets := map[string]string{}
	for _, fn := range statemachine.Functions {
		dir := filepath.Join(abs, fn.Name)
		if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
			return nil, fmt.Errorf("no Lambda asset for %s at %s (run `make build` first): %w",
				fn.Name, filepath.Join(root, fn.Name, "bootstrap"), err)
		}
		assets[fn.Name] = dir
	}
	return assets, nil
}

// addFunctions creates the eight functions of statemachine.Functions, each with its own
// log group and role and exactly the DynamoDB actions functionTableActions lists for it.
func (s *FareCollectionStack) addFunctions(settings stageSettings, assets map[string]string) {
	for _, fn := range statemachine.Functions {
		env := map[string]*string{
			lambdaenv.FaultInjectionVar: jsii.String(settings.faultInjection),
			lambdaenv.PaymentGatewayVar: jsii.String("simulated"),
		}
		var access []tableAccess
		for _, spec := range fn.Tables {
			env[spec.EnvVar] = s.Tables[spec.Name].TableName()
			access = append(access, tableAccess{spec.Name, s.Tables[spec.Name], functionTableActions[fn.Name][spec.Name]})
		}
		s.Functions[fn.Name] = s.newFunction(settings, functionProps{
			id:          fn.State,
			name:        fn.Name,
			description: fmt.Sprintf("faresaga %s: the %s state", fn.Name, fn.State),
			asset:       assets[fn.Name],
			environment: env,
			dynamoDB:    access,
		})
	}
}

// functionProps describe one of the stack's functions.
type functionProps struct {
	id          string // construct ids <id>Function, <id>Role, <id>Logs
	name        string // the function is named <stack>-<name>
	description string
	asset       string // the directory holding its bootstrap
	environment map[string]*string
	dynamoDB    []tableAccess
	// reservedConcurrency overrides the stage's (0: the stage's).
	reservedConcurrency float64
	// deadLetterQueue receives what the function failed with when invoked
	// asynchronously; nil for the functions invoked synchronously only.
	deadLetterQueue awssqs.IQueue
}

// tableAccess is what a function may do to one table: these actions, on this table
// only (the stack's tables have no indexes, so the table ARN is all there is).
type tableAccess struct {
	name    string
	table   awsdynamodb.ITable
	actions []string
}

// newFunction builds a function the way every function of the stack is built, the
// front door included: provided.al2023 on the stack's architecture, active tracing,
// the stage's reserved concurrency, and a role of its own that may write to the
// function's own log group, send traces (which X-Ray only grants on "*"), and use
// exactly the DynamoDB actions given, on exactly those tables. Nothing else: no managed
// policy, so no logs:CreateLogGroup or logs:* on every group of the account.
func (s *FareCollectionStack) newFunction(settings stageSettings, props functionProps) awslambda.Function {
	logs := awslogs.NewLogGroup(s.Stack, jsii.String(props.id+"Logs"), &awslogs.LogGroupProps{
		Retention:     settings.logRetention,
		RemovalPolicy: settings.removalPolicy,
	})
	role := awsiam.NewRole(s.Stack, jsii.String(props.id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("faresaga " + props.name + ": its own logs, traces and exactly the DynamoDB actions it uses"),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("WriteOwnLogs"),
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{logs.LogGroupArn()},
	}))
	for _, access := range props.dynamoDB {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String(access.name + "Table"),
			Actions:   jsii.Strings(access.actions...),
			Resources: &[]*string{access.table.TableArn()},
		}))
	}
	reserved := props.reservedConcurrency
	if reserved == 0 {
		reserved = settings.reservedConcurrency
	}
	f := awslambda.NewFunction(s.Stack, jsii.String(props.id+"Function"), &awslambda.FunctionProps{
		FunctionName:                 jsii.String(*s.StackName() + "-" + props.name),
		Description:                  jsii.String(props.description),
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 s.Architecture.lambda(),
		Handler:                      jsii.String("bootstrap"),
		Code:                         awslambda.Code_FromAsset(jsii.String(props.asset), nil),
		MemorySize:                   jsii.Number(FunctionMemoryMB),
		Timeout:                      awscdk.Duration_Seconds(jsii.Number(statemachine.LambdaTimeoutSeconds)),
		Tracing:                      awslambda.Tracing_ACTIVE,
		LogGroup:                     logs,
		Role:                         role,
		ReservedConcurrentExecutions: jsii.Number(reserved),
		Environment:                  &props.environment,
		DeadLetterQueue:              props.deadLetterQueue,
	})
	s.lambdas = append(s.lambdas, f)
	return f
}
