package task

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/faresaga/faresaga/sfnlocal/failure"
)

// Kind is the integration a Resource ARN selects.
type Kind int

// The integrations this package provides.
const (
	KindLambdaFunction Kind = iota + 1 // arn:aws:lambda:<region>:<account>:function:<name>
	KindLambdaInvoke                   // arn:aws:states:::lambda:invoke
	KindDynamoDB                       // arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem
	KindSNSPublish                     // arn:aws:states:::sns:publish
	// KindActivity is an activity (arn:aws:states:<region>:<account>:activity:<name>),
	// which the interpreter itself hands to workers polling GetActivityTask.
	KindActivity
)

// Resource is a parsed Task Resource ARN and what its history events look like.
type Resource struct {
	ARN  string
	Kind Kind
	// ResourceType and Action are the resourceType and resource of Task* events
	// ("dynamodb", "updateItem"); both are empty for a Lambda function ARN, whose
	// LambdaFunction* events carry the ARN itself.
	ResourceType string
	Action       string
	// Region is the ARN's region, empty for arn:aws:states::: service ARNs.
	Region string
}

// Events is the history event family the resource's invocations write.
func (r Resource) Events() EventFamily {
	switch r.Kind {
	case KindLambdaFunction:
		return LambdaFunctionEvents
	case KindActivity:
		return ActivityEvents
	}
	return TaskEvents
}

// serviceActions lists the optimised service integrations by "<service>:<action>".
var serviceActions = map[string]Kind{
	"lambda:invoke":       KindLambdaInvoke,
	"dynamodb:getItem":    KindDynamoDB,
	"dynamodb:putItem":    KindDynamoDB,
	"dynamodb:updateItem": KindDynamoDB,
	"dynamodb:deleteItem": KindDynamoDB,
	"sns:publish":         KindSNSPublish,
}

// parsed remembers the resources already parsed: a definition names a handful, and
// each Task invocation would parse its resource again. Bounded, so that a stream of
// distinct ARNs cannot grow it without end.
var parsed struct {
	sync.Map
	count atomic.Int32
}

const maxParsedResources = 4096

// ParseResource resolves a Task Resource ARN. Anything this package cannot run fails
// with AWS's wording for a resource it does not recognise, as States.Runtime.
func ParseResource(arn string) (Resource, error) {
	if r, ok := parsed.Load(arn); ok {
		return r.(Resource), nil
	}
	r, err := parseResource(arn)
	if err == nil && parsed.count.Load() < maxParsedResources {
		parsed.count.Add(1)
		parsed.Store(arn, r)
	}
	return r, err
}

func parseResource(arn string) (Resource, error) {
	if service, ok := strings.CutPrefix(arn, "arn:aws:states:::"); ok {
		if kind, found := serviceActions[service]; found {
			resourceType, action, _ := strings.Cut(service, ":")
			return Resource{ARN: arn, Kind: kind, ResourceType: resourceType, Action: action}, nil
		}
		return Resource{}, unsupportedResource(arn)
	}
	if parts := strings.SplitN(arn, ":", 7); len(parts) == 7 && parts[0] == "arn" && parts[2] == "states" &&
		parts[5] == "activity" && parts[3] != "" && parts[4] != "" && parts[6] != "" {
		return Resource{ARN: arn, Kind: KindActivity, Region: parts[3]}, nil
	}
	if fn, err := parseFunctionName(arn); err == nil && fn.isARN {
		return Resource{ARN: arn, Kind: KindLambdaFunction, Region: fn.region}, nil
	}
	return Resource{}, unsupportedResource(arn)
}

func unsupportedResource(arn string) error {
	return failure.New(failure.Runtime, "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.", arn)
}
