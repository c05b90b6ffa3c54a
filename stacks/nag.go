package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The cdk-nag rules (AwsSolutions and Serverless packs) the stack does not follow, where,
// and why: this file is the only place that says so. Everything else both packs check
// is followed, on both stages; a test fails on any finding not suppressed here, and on
// a suppression here that no longer matches a finding.
//
// Each suppression is either something AWS requires or a rule that does not apply, and
// each is as narrow as cdk-nag allows: on the resources concerned, and for IAM5 on the
// exact wildcard (AppliesTo).
const (
	// Traces: X-Ray's PutTraceSegments and PutTelemetryRecords (and the sampling calls
	// the machine's tracing makes) support no resource-level permissions.
	reasonXRay = "X-Ray's PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets support no resource-level permissions: AWS requires Resource *"
	// Vended logs: Step Functions delivers its logs through CloudWatch Logs' log
	// delivery API, whose actions take no resource ARN.
	reasonLogDelivery = "Step Functions' log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) supports no resource-level permissions: AWS requires Resource *; " + reasonXRay
	// Executions are named when they start: their ARNs are known only as this
	// machine's prefix.
	reasonExecutions = "Execution ARNs exist only once an execution starts; the pattern is every execution of this stack's state machine and nothing else"
	// A dead-letter queue's own messages are the ones to read, not to move on.
	reasonDeadLetterQueue    = "This is a dead-letter queue (of an outcome queue and its subscription): what lands here is kept 14 days and alarmed on for an operator to read; a redrive policy would only move it further out of sight"
	reasonFareRoutes         = "A fareId is a path parameter: the routes GET /fares/{fareId} and POST /fares/{fareId}/resume are every fare's, on every stage of this stack's API and nothing else"
	reasonWatcherDeadLetters = "This is the attention watcher's dead-letter queue (of its EventBridge target and its asynchronous invocations): what lands here is a status change to handle by hand, kept 14 days and alarmed on; a redrive policy would move it out of sight"
	// A Lambda dead-letter queue receives failed asynchronous invocations only.
	reasonSynchronous = "Invoked synchronously only (the state machine's lambda:invoke tasks wait for the result and retry or compensate; the front door answers its caller): a Lambda DLQ only ever receives failed asynchronous invocations, so it would stay empty"
)

func (s *FareCollectionStack) addNagSuppressions() {
	for _, f := range s.lambdas {
		if f != s.Watcher { // invoked asynchronously, and has its dead-letter queue
			suppress(f, false, nagSuppression{rule: "Serverless-LambdaDLQ", reason: reasonSynchronous})
		}
		// The role's default policy holds the X-Ray statement CDK adds for active
		// tracing; TestFunctionPoliciesTouchOnlyOwnTables checks that it is the only
		// statement on "*".
		suppress(defaultPolicy(f.Role()), true, nagSuppression{rule: "AwsSolutions-IAM5", reason: reasonXRay, appliesTo: "Resource::*"})
	}
	for _, q := range []any{s.SuccessfulTransactionsDeadLetters, s.FailedTransactionsDeadLetters} {
		suppress(q, false, nagSuppression{rule: "Serverless-SQSRedrivePolicy", reason: reasonDeadLetterQueue})
	}
	suppress(s.WatcherDeadLetters, false, nagSuppression{rule: "Serverless-SQSRedrivePolicy", reason: reasonWatcherDeadLetters})
	api := "Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<" + logicalID(s.Stack, s.FareAPI) + ">/*/"
	suppress(s.OperatorsPolicy, false,
		nagSuppression{rule: "AwsSolutions-IAM5", reason: reasonFareRoutes, appliesTo: api + "GET/fares/*"},
		nagSuppression{rule: "AwsSolutions-IAM5", reason: reasonFareRoutes, appliesTo: api + "POST/fares/*/resume"})
	// The machine's role: log delivery and X-Ray on "*" (TestStateMachineRole checks
	// that nothing else is).
	suppress(defaultPolicy(s.StateMachine.Role()), true, nagSuppression{rule: "AwsSolutions-IAM5", reason: reasonLogDelivery, appliesTo: "Resource::*"})
	// Whoever may read or describe executions (operators, the front door) gets them by
	// the machine's execution prefix.
	cdknag.NagSuppressions_AddStackSuppressions(s.Stack, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String(reasonExecutions),
		AppliesTo: &[]any{"Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:" + *s.StackName() + ":*"},
	}}, nil)
}

// logicalID is the template's id for an L2 construct's CloudFormation resource.
func logicalID(stack awscdk.Stack, c constructs.IConstruct) string {
	cfn := c.Node().DefaultChild().(awscdk.CfnElement)
	return fmt.Sprint(stack.Resolve(stack.GetLogicalId(cfn)))
}

// defaultPolicy is the policy CDK attaches to a role for the statements added to it (the
// grants, tracing, log delivery), the one resource of a role that has the wildcards.
func defaultPolicy(role awsiam.IRole) constructs.IConstruct {
	return role.Node().FindChild(jsii.String("DefaultPolicy"))
}

// nagSuppression is one rule suppressed, with its reason and, for the rules that have
// them, the findings it is limited to.
type nagSuppression struct {
	rule, reason string
	appliesTo    string
}

func suppress(construct any, withChildren bool, suppressions ...nagSuppression) {
	var list []*cdknag.NagPackSuppression
	for _, s := range suppressions {
		n := &cdknag.NagPackSuppression{Id: jsii.String(s.rule), Reason: jsii.String(s.reason)}
		if s.appliesTo != "" {
			n.AppliesTo = &[]any{s.appliesTo}
		}
		list = append(list, n)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &list, jsii.Bool(withChildren))
}
