package task

import (
	"encoding/base64"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Step Functions passes DynamoDB arguments and results in the API's JSON shape
// ("DynamoDB JSON": {"S": "x"}, {"N": "1"}, {"M": {...}}); these convert between that
// shape and the SDK's attribute values.

// attributeValuesFromJSON converts an object of DynamoDB JSON attribute values.
func attributeValuesFromJSON(v any) (map[string]types.AttributeValue, error) {
	object, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object of attribute values, got %s", jsonTypeName(v))
	}
	values := make(map[string]types.AttributeValue, len(object))
	for _, name := range sortedKeys(object) {
		value, err := attributeValueFromJSON(object[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		values[name] = value
	}
	return values, nil
}

// attributeValueFromJSON converts one attribute value, which must name exactly one type.
func attributeValueFromJSON(v any) (types.AttributeValue, error) {
	object, ok := v.(map[string]any)
	if !ok || len(object) != 1 {
		return nil, fmt.Errorf("Supplied AttributeValue has more or less than one of the supported datatypes")
	}
	var dataType string
	for dataType = range object {
	}
	return typedAttributeValue(dataType, object[dataType])
}

func typedAttributeValue(dataType string, value any) (types.AttributeValue, error) {
	switch dataType {
	case "S":
		s, err := jsonString(value)
		return &types.AttributeValueMemberS{Value: s}, err
	case "N":
		n, err := jsonString(value)
		return &types.AttributeValueMemberN{Value: n}, err
	case "B":
		b, err := jsonBinary(value)
		return &types.AttributeValueMemberB{Value: b}, err
	case "BOOL":
		b, ok := value.(bool)
		return &types.AttributeValueMemberBOOL{Value: b}, expect(ok, "BOOL must be a boolean")
	case "NULL":
		b, ok := value.(bool)
		return &types.AttributeValueMemberNULL{Value: b}, expect(ok, "NULL must be a boolean")
	case "SS":
		ss, err := jsonList(value, jsonString)
		return &types.AttributeValueMemberSS{Value: ss}, err
	case "NS":
		ns, err := jsonList(value, jsonString)
		return &types.AttributeValueMemberNS{Value: ns}, err
	case "BS":
		bs, err := jsonList(value, jsonBinary)
		return &types.AttributeValueMemberBS{Value: bs}, err
	case "L":
		l, err := jsonList(value, attributeValueFromJSON)
		return &types.AttributeValueMemberL{Value: l}, err
	case "M":
		m, err := attributeValuesFromJSON(value)
		return &types.AttributeValueMemberM{Value: m}, err
	}
	return nil, fmt.Errorf("unknown attribute value type %q", dataType)
}

func expect(ok bool, message string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%s", message)
}

func jsonString(v any) (string, error) {
	s, ok := v.(string)
	return s, expect(ok, "expected a string")
}

func jsonBinary(v any) ([]byte, error) {
	s, err := jsonString(v)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(s)
}

func jsonList[T any](v any, element func(any) (T, error)) ([]T, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", jsonTypeName(v))
	}
	list := make([]T, len(items))
	for i, item := range items {
		converted, err := element(item)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		list[i] = converted
	}
	return list, nil
}

// attributeValuesToJSON converts attribute values to DynamoDB JSON.
func attributeValuesToJSON(values map[string]types.AttributeValue) map[string]any {
	object := make(map[string]any, len(values))
	for name, value := range values {
		object[name] = attributeValueToJSON(value)
	}
	return object
}

func attributeValueToJSON(value types.AttributeValue) any {
	switch v := value.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": anySlice(v.Value, func(s string) any { return s })}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": anySlice(v.Value, func(s string) any { return s })}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": anySlice(v.Value, func(b []byte) any { return base64.StdEncoding.EncodeToString(b) })}
	case *types.AttributeValueMemberL:
		return map[string]any{"L": anySlice(v.Value, attributeValueToJSON)}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": attributeValuesToJSON(v.Value)}
	}
	// An SDK newer than this code may add a type: keep its name visible.
	return map[string]any{fmt.Sprintf("%T", value): nil}
}

func anySlice[T any](values []T, convert func(T) any) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = convert(v)
	}
	return out
}

// sortedKeys lists a map's keys in order, for deterministic messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
