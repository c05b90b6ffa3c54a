package task

import (
	"fmt"
	"math"
	"strings"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Output shapes of some integrations, for TestState's mock field validation: AWS checks a
// mocked result against the response shape of the service action (STRICT: types of the
// fields present and the required fields; PRESENT: the fields present only). The shapes
// below are the response shapes of the AWS API references (member names, types, ranges,
// enums), for the optimized integrations this engine runs and a few AWS SDK actions;
// a resource without one here is not validated.

// Shape is a response shape: a structure, a list, or a scalar with its constraints.
type Shape struct {
	Type     string // structure, list, map, string, timestamp, blob, integer, long, double, boolean, any
	Members  []Field
	Member   *Shape // a list's element
	Min, Max *float64
	MinLen   *int
	Enum     []string
}

// Field is a structure's member.
type Field struct {
	Name     string
	Shape    *Shape
	Required bool
}

func num(f float64) *float64 { return &f }
func length(n int) *int      { return &n }

var (
	anyShape       = &Shape{Type: "any"}
	stringShape    = &Shape{Type: "string"}
	timestampShape = &Shape{Type: "timestamp"}
	integerShape   = &Shape{Type: "integer"}
	longShape      = &Shape{Type: "long"}
	doubleShape    = &Shape{Type: "double"}
	mapShape       = &Shape{Type: "map"}
	capacityShape  = &Shape{Type: "structure", Members: []Field{
		{Name: "TableName", Shape: stringShape}, {Name: "CapacityUnits", Shape: doubleShape},
		{Name: "ReadCapacityUnits", Shape: doubleShape}, {Name: "WriteCapacityUnits", Shape: doubleShape},
		{Name: "Table", Shape: &Shape{Type: "structure", Members: []Field{{Name: "CapacityUnits", Shape: doubleShape},
			{Name: "ReadCapacityUnits", Shape: doubleShape}, {Name: "WriteCapacityUnits", Shape: doubleShape}}}},
		{Name: "LocalSecondaryIndexes", Shape: mapShape}, {Name: "GlobalSecondaryIndexes", Shape: mapShape}}}
	dynamoWriteOutput = &Shape{Type: "structure", Members: []Field{
		{Name: "Attributes", Shape: mapShape}, {Name: "ConsumedCapacity", Shape: capacityShape},
		{Name: "ItemCollectionMetrics", Shape: &Shape{Type: "structure", Members: []Field{{Name: "ItemCollectionKey", Shape: mapShape}}}}}}
)

// outputShapes are keyed by the resource after "arn:aws:states:::".
var outputShapes = map[string]*Shape{
	"lambda:invoke": {Type: "structure", Members: []Field{
		{Name: "ExecutedVersion", Shape: stringShape}, {Name: "FunctionError", Shape: stringShape},
		{Name: "LogResult", Shape: stringShape}, {Name: "Payload", Shape: anyShape}, {Name: "StatusCode", Shape: integerShape}}},
	"states:startExecution": {Type: "structure", Members: []Field{
		{Name: "ExecutionArn", Shape: stringShape, Required: true}, {Name: "StartDate", Shape: timestampShape, Required: true}}},
	"dynamodb:putItem":    dynamoWriteOutput,
	"dynamodb:updateItem": dynamoWriteOutput,
	"dynamodb:deleteItem": dynamoWriteOutput,
	"dynamodb:getItem": {Type: "structure", Members: []Field{
		{Name: "Item", Shape: mapShape}, {Name: "ConsumedCapacity", Shape: capacityShape}}},
	"events:putEvents": {Type: "structure", Members: []Field{
		{Name: "FailedEntryCount", Shape: integerShape},
		{Name: "Entries", Shape: &Shape{Type: "list", Member: &Shape{Type: "structure", Members: []Field{
			{Name: "EventId", Shape: stringShape}, {Name: "ErrorCode", Shape: stringShape}, {Name: "ErrorMessage", Shape: stringShape}}}}}}},
	"sqs:sendMessage": {Type: "structure", Members: []Field{
		{Name: "MD5OfMessageBody", Shape: stringShape}, {Name: "MD5OfMessageAttributes", Shape: stringShape},
		{Name: "MD5OfMessageSystemAttributes", Shape: stringShape}, {Name: "MessageId", Shape: stringShape},
		{Name: "SequenceNumber", Shape: stringShape}}},
	"sns:publish": {Type: "structure", Members: []Field{
		{Name: "MessageId", Shape: stringShape}, {Name: "SequenceNumber", Shape: stringShape}}},
	"aws-sdk:kms:encrypt": {Type: "structure", Members: []Field{
		{Name: "CiphertextBlob", Shape: &Shape{Type: "blob", MinLen: length(1)}},
		{Name: "KeyId", Shape: &Shape{Type: "string", MinLen: length(1)}},
		{Name: "EncryptionAlgorithm", Shape: &Shape{Type: "string", Enum: []string{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}}}}},
	"aws-sdk:lambda:getFunction": {Type: "structure", Members: []Field{
		{Name: "Configuration", Shape: &Shape{Type: "structure", Members: []Field{
			{Name: "FunctionName", Shape: stringShape}, {Name: "FunctionArn", Shape: stringShape},
			{Name: "Runtime", Shape: stringShape}, {Name: "Role", Shape: stringShape}, {Name: "Handler", Shape: stringShape},
			{Name: "CodeSize", Shape: longShape}, {Name: "Description", Shape: stringShape},
			{Name: "Timeout", Shape: &Shape{Type: "integer", Min: num(1)}},
			{Name: "MemorySize", Shape: &Shape{Type: "integer", Min: num(128), Max: num(10240)}},
			{Name: "LastModified", Shape: stringShape}, {Name: "Version", Shape: stringShape}}}},
		{Name: "Code", Shape: &Shape{Type: "structure", Members: []Field{{Name: "RepositoryType", Shape: stringShape}, {Name: "Location", Shape: stringShape}}}},
		{Name: "Tags", Shape: mapShape}}},
	"aws-sdk:s3:getObject": {Type: "structure", Members: []Field{
		{Name: "Body", Shape: anyShape}, {Name: "ContentLength", Shape: longShape}, {Name: "ContentType", Shape: stringShape},
		{Name: "ETag", Shape: stringShape}, {Name: "LastModified", Shape: timestampShape}, {Name: "VersionId", Shape: stringShape},
		{Name: "StorageClass", Shape: &Shape{Type: "string", Enum: []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA",
			"ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS"}}}}},
}

// OutputShape is the response shape of a Task resource, nil when none is known here.
func OutputShape(resourceARN string) *Shape {
	service, ok := strings.CutPrefix(resourceARN, "arn:aws:states:::")
	if !ok {
		return nil
	}
	return outputShapes[service]
}

// Validate checks v against the shape as AWS checks a mocked result: required fields
// too when strict, the fields present only otherwise. It reports the first field that
// does not fit, in AWS's words.
func (s *Shape) Validate(v any, strict bool) error {
	return s.check("", v, strict)
}

func (s *Shape) check(name string, v any, strict bool) error {
	bad := func(format string) error { return fmt.Errorf(format, name) }
	switch s.Type {
	case "any":
		return nil
	case "structure":
		o, ok := v.(*jsonvalue.Object)
		if !ok {
			return bad("Field '%s' must be an object")
		}
		for _, f := range s.Members {
			value, present := o.Get(f.Name)
			if !present {
				if strict && f.Required {
					return fmt.Errorf("Required field '%s' is missing", f.Name)
				}
				continue
			}
			if err := f.Shape.check(f.Name, value, strict); err != nil {
				return err
			}
		}
	case "map":
		if _, ok := v.(*jsonvalue.Object); !ok {
			return bad("Field '%s' must be an object")
		}
	case "list":
		items, ok := v.([]any)
		if !ok {
			return bad("Field '%s' must be an array")
		}
		for _, item := range items {
			if err := s.Member.check(name, item, strict); err != nil {
				return err
			}
		}
	case "string", "timestamp", "blob":
		text, ok := v.(string)
		if !ok {
			return bad("Field '%s' must be a string")
		}
		if s.MinLen != nil && len(text) < *s.MinLen {
			return bad("Field '%s' is smaller than the minimum length")
		}
		if len(s.Enum) > 0 && !contains(s.Enum, text) {
			return bad("Field '%s' is not an expected value")
		}
	case "integer", "long", "double":
		n, ok := v.(float64)
		if !ok {
			return bad("Field '%s' must be a number")
		}
		if s.Type != "double" && n != math.Trunc(n) {
			return bad("Field '%s' must be an integer")
		}
		if s.Min != nil && n < *s.Min {
			return bad("Field '%s' is less than the minimum value")
		}
		if s.Max != nil && n > *s.Max {
			return bad("Field '%s' exceeds the maximum value")
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("Field '%s' must be a boolean")
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
