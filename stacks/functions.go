package stacks

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
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
// log group and read/write access to exactly its own tables.
func (s *FareCollectionStack) addFunctions(settings stageSettings, assets map[string]string) {
	for _, fn := range statemachine.Functions {
		env := map[string]*string{
			lambdaenv.FaultInjectionVar: jsii.String(settings.faultInjection),
			lambdaenv.PaymentGatewayVar: jsii.String("simulated"),
		}
		for _, spec := range fn.Tables {
			env[spec.EnvVar] = s.Tables[spec.Name].TableName()
		}
		logs := awslogs.NewLogGroup(s.Stack, jsii.String(fn.State+"Logs"), &awslogs.LogGroupProps{
			Retention:     settings.logRetention,
			RemovalPolicy: settings.removalPolicy,
		})
		f := awslambda.NewFunction(s.Stack, jsii.String(fn.State+"Function"), &awslambda.FunctionProps{
			FunctionName: jsii.String(*s.StackName() + "-" + fn.Name),
			Description:  jsii.String(fmt.Sprintf("faresaga %s: the %s state", fn.Name, fn.State)),
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(assets[fn.Name]), nil),
			MemorySize:   jsii.Number(FunctionMemoryMB),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(statemachine.LambdaTimeoutSeconds)),
			Tracing:      awslambda.Tracing_ACTIVE,
			LogGroup:     logs,
			Environment:  &env,
		})
		for _, spec := range fn.Tables {
			s.Tables[spec.Name].GrantReadWriteData(f)
		}
		s.Functions[fn.Name] = f
	}
}
