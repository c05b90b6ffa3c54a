package task

import (
	"encoding/base64"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Step Functions passes DynamoDB arguments and results in the API's JSON shape
// ("DynamoDB JSON": {"S": "x"}, {"N": "1"}, {"M": {...}}); these convert between that
// shape and the SDK's attribute values.

// attributeValuesFromJSON converts an object of DynamoDB JSON attribute values.
func attributeValuesFromJSON(v any) (map[string]types.AttributeValue, error) {
	object, ok := v.(*jsonvalue.Object)
	if !ok {
		return nil, fmt.Errorf("expected an object of attribute values, got %s", jsonTypeName(v))
	}
	values := make(map[string]types.AttributeValue, object.Len())
	for _, m := range object.Members() {
		value, err := attributeValueFromJSON(m.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Key, err)
		}
		values[m.Key] = value
	}
	return values, nil
}

// attributeValueFromJSON converts one attribute value, which must name exactly one type.
func attributeValueFromJSON(v any) (types.AttributeValue, error) {
	object, ok := v.(*jsonvalue.Object)
	if !ok || object.Len() != 1 {
		return nil, fmt.Errorf("Supplied AttributeValue has more or less than one of the supported datatypes")
	}
	m := object.Members()[0]
	return typedAttributeValue(m.Key, m.Value)
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
func attributeValuesToJSON(values map[string]types.AttributeValue) *jsonvalue.Object {
	object := jsonvalue.NewObject(len(values))
	for _, name := range sortedKeys(values) { // DynamoDB's JSON has no order: sorted, to be deterministic
		object.Set(name, attributeValueToJSON(values[name]))
	}
	return object
}

func attributeValueToJSON(value types.AttributeValue) any {
	switch v := value.(type) {
	case *types.AttributeValueMemberS:
		return jsonvalue.ObjectOf("S", v.Value)
	case *types.AttributeValueMemberN:
		return jsonvalue.ObjectOf("N", v.Value)
	case *types.AttributeValueMemberB:
		return jsonvalue.ObjectOf("B", base64.StdEncoding.EncodeToString(v.Value))
	case *types.AttributeValueMemberBOOL:
		return jsonvalue.ObjectOf("BOOL", v.Value)
	case *types.AttributeValueMemberNULL:
		return jsonvalue.ObjectOf("NULL", v.Value)
	case *types.AttributeValueMemberSS:
		return jsonvalue.ObjectOf("SS", anySlice(v.Value, func(s string) any { return s }))
	case *types.AttributeValueMemberNS:
		return jsonvalue.ObjectOf("NS", anySlice(v.Value, func(s string) any { return s }))
	case *types.AttributeValueMemberBS:
		return jsonvalue.ObjectOf("BS", anySlice(v.Value, func(b []byte) any { return base64.StdEncoding.EncodeToString(b) }))
	case *types.AttributeValueMemberL:
		return jsonvalue.ObjectOf("L", anySlice(v.Value, attributeValueToJSON))
	case *types.AttributeValueMemberM:
		return jsonvalue.ObjectOf("M", attributeValuesToJSON(v.Value))
	}
	// An SDK newer than this code may add a type: keep its name visible.
	return jsonvalue.ObjectOf(fmt.Sprintf("%T", value), nil)
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
