package dynamotest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Guard stands in front of minidyn and answers what it would get wrong the way
// DynamoDB answers it: a body that is not JSON (SerializationException), an unknown
// operation, a transaction of more than 100 items, an item over 400 KB, a number
// DynamoDB cannot store, a Query or Scan on an index the table does not have
// (ValidationException), and ListTables, which minidyn does not serve. A panic inside
// minidyn becomes a 500 InternalServerError, never a dropped connection.
func Guard(inner http.Handler) http.Handler {
	return &guard{inner: inner}
}

type guard struct {
	inner  http.Handler
	mu     sync.Mutex
	tables []string // created through the guard, in creation order
}

// DynamoDB's limits.
const (
	maxTransactItems   = 100
	maxBatchWriteItems = 25
	maxBatchGetKeys    = 100
	maxItemBytes       = 400 * 1024
	maxNumberDigits    = 38
	maxRequestBytes    = 16 << 20
)

const (
	validation    = "com.amazonaws.dynamodb.v20120810#ValidationException"
	serialization = "com.amazon.coral.service#SerializationException"
	unknownOp     = "com.amazon.coral.service#UnknownOperationException"
	internal      = "com.amazonaws.dynamodb.v20120810#InternalServerError"
	notFound      = "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
)

var operations = []string{"CreateTable", "UpdateTable", "DeleteTable", "DescribeTable", "ListTables", "PutItem",
	"DeleteItem", "UpdateItem", "GetItem", "Query", "Scan", "BatchWriteItem", "BatchGetItem", "TransactWriteItems",
	"TransactGetItems"}

type dynamoError struct {
	status    int
	kind, msg string
}

func fail(kind, format string, args ...any) *dynamoError {
	return &dynamoError{status: http.StatusBadRequest, kind: kind, msg: fmt.Sprintf(format, args...)}
}

func (e *dynamoError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.kind, "message": e.msg})
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			(&dynamoError{status: http.StatusInternalServerError, kind: internal, msg: fmt.Sprintf("Internal server error: %v", p)}).write(w)
		}
	}()
	if r.Method != http.MethodPost {
		g.inner.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil || len(body) > maxRequestBytes {
		fail(serialization, "the request body cannot be read or is too large").write(w)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	operation := target[strings.LastIndexByte(target, '.')+1:]
	if !slices.Contains(operations, operation) {
		fail(unknownOp, "The operation %q is not supported", operation).write(w)
		return
	}
	var request map[string]any
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	if err := decoder.Decode(&request); err != nil || decoder.More() {
		fail(serialization, "Start of structure or map found where not expected, or the body is not JSON").write(w)
		return
	}
	if operation == "ListTables" {
		g.listTables(w, request)
		return
	}
	if problem := g.check(operation, request); problem != nil {
		problem.write(w)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if operation != "CreateTable" && operation != "DeleteTable" {
		g.inner.ServeHTTP(w, r)
		return
	}
	recorder := httptest.NewRecorder()
	g.inner.ServeHTTP(recorder, r)
	if recorder.Code == http.StatusOK {
		g.noteTable(operation, request)
	}
	for k, v := range recorder.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(recorder.Code)
	_, _ = w.Write(recorder.Body.Bytes())
}

func (g *guard) noteTable(operation string, request map[string]any) {
	name, _ := request["TableName"].(string)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tables = slices.DeleteFunc(g.tables, func(t string) bool { return t == name })
	if operation == "CreateTable" {
		g.tables = append(g.tables, name)
	}
}

// listTables answers ListTables from the tables created through the guard, sorted and
// paged as DynamoDB pages them (ExclusiveStartTableName, Limit up to 100).
func (g *guard) listTables(w http.ResponseWriter, request map[string]any) {
	g.mu.Lock()
	names := slices.Clone(g.tables)
	g.mu.Unlock()
	slices.Sort(names)
	limit := 100
	if l, ok := request["Limit"].(float64); ok {
		if l < 1 || l > 100 {
			fail(validation, "1 validation error detected: Value '%v' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", l).write(w)
			return
		}
		limit = int(l)
	}
	if start, ok := request["ExclusiveStartTableName"].(string); ok {
		names = slices.DeleteFunc(names, func(n string) bool { return n <= start })
	}
	out := map[string]any{"TableNames": names}
	if len(names) > limit {
		out["TableNames"], out["LastEvaluatedTableName"] = names[:limit], names[limit-1]
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// check applies DynamoDB's validations that minidyn lacks.
func (g *guard) check(operation string, request map[string]any) *dynamoError {
	switch operation {
	case "TransactWriteItems", "TransactGetItems":
		items, _ := request["TransactItems"].([]any)
		if len(items) > maxTransactItems {
			return fail(validation, "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d", maxTransactItems)
		}
		if len(items) == 0 {
			return fail(validation, "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
		}
		for _, item := range items {
			op, _ := item.(map[string]any)
			if put, ok := op["Put"].(map[string]any); ok {
				if problem := checkItem(put["Item"]); problem != nil {
					return problem
				}
			}
		}
	case "PutItem":
		if problem := checkItem(request["Item"]); problem != nil {
			return problem
		}
	case "BatchWriteItem":
		requests, _ := request["RequestItems"].(map[string]any)
		count := 0
		for _, table := range requests {
			writes, _ := table.([]any)
			count += len(writes)
			for _, write := range writes {
				op, _ := write.(map[string]any)
				if put, ok := op["PutRequest"].(map[string]any); ok {
					if problem := checkItem(put["Item"]); problem != nil {
						return problem
					}
				}
			}
		}
		if count > maxBatchWriteItems {
			return fail(validation, "Too many items requested for the BatchWriteItem call")
		}
	case "BatchGetItem":
		requests, _ := request["RequestItems"].(map[string]any)
		count := 0
		for _, table := range requests {
			t, _ := table.(map[string]any)
			keys, _ := t["Keys"].([]any)
			count += len(keys)
		}
		if count > maxBatchGetKeys {
			return fail(validation, "Too many items requested for the BatchGetItem call")
		}
	case "Query", "Scan":
		if index, ok := request["IndexName"].(string); ok {
			table, _ := request["TableName"].(string)
			if problem := g.checkIndex(table, index); problem != nil {
				return problem
			}
		}
	}
	return checkNumbers(request)
}

// checkIndex asks minidyn which indexes the table has.
func (g *guard) checkIndex(table, index string) *dynamoError {
	body, _ := json.Marshal(map[string]string{"TableName": table})
	request := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	request.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
	recorder := httptest.NewRecorder()
	g.inner.ServeHTTP(recorder, request)
	if recorder.Code != http.StatusOK {
		return fail(notFound, "Requested resource not found")
	}
	var description struct {
		Table struct {
			GlobalSecondaryIndexes []struct{ IndexName string }
			LocalSecondaryIndexes  []struct{ IndexName string }
		}
	}
	_ = json.Unmarshal(recorder.Body.Bytes(), &description)
	for _, gsi := range description.Table.GlobalSecondaryIndexes {
		if gsi.IndexName == index {
			return nil
		}
	}
	for _, lsi := range description.Table.LocalSecondaryIndexes {
		if lsi.IndexName == index {
			return nil
		}
	}
	return fail(validation, "The table does not have the specified index: %s", index)
}

// checkItem refuses an item over DynamoDB's 400 KB, measured as DynamoDB measures it:
// attribute names and values in UTF-8 bytes, numbers by their digits.
func checkItem(item any) *dynamoError {
	attributes, _ := item.(map[string]any)
	size := 0
	for name, value := range attributes {
		size += len(name) + attributeSize(value)
	}
	if size > maxItemBytes {
		return fail(validation, "Item size has exceeded the maximum allowed size")
	}
	return nil
}

func attributeSize(v any) int {
	typed, _ := v.(map[string]any)
	size := 0
	for kind, value := range typed {
		switch kind {
		case "S":
			s, _ := value.(string)
			size += len(s)
		case "N":
			n, _ := value.(string)
			size += numberSize(n)
		case "B":
			b, _ := value.(string)
			size += base64.StdEncoding.DecodedLen(len(b))
		case "BOOL", "NULL":
			size++
		case "SS", "NS", "BS":
			members, _ := value.([]any)
			for _, m := range members {
				s, _ := m.(string)
				size += len(s)
			}
		case "L":
			items, _ := value.([]any)
			size += 3
			for _, item := range items {
				size += 1 + attributeSize(item)
			}
		case "M":
			fields, _ := value.(map[string]any)
			size += 3
			for name, item := range fields {
				size += 1 + len(name) + attributeSize(item)
			}
		}
	}
	return size
}

func numberSize(n string) int {
	digits := 0
	for _, c := range n {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return (digits+1)/2 + 1
}

// number is DynamoDB's number syntax.
var number = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$`)

// checkNumbers walks the request for attribute values of type N and NS and refuses any
// DynamoDB cannot store: not a number, more than 38 significant digits, or out of
// its range (1E-130 to 9.9999999999999999999999999999999999999E+125).
func checkNumbers(v any) *dynamoError {
	switch x := v.(type) {
	case map[string]any:
		for key, value := range x {
			switch key {
			case "N":
				if s, ok := value.(string); ok && len(x) == 1 {
					if problem := checkNumber(s); problem != nil {
						return problem
					}
					continue
				}
			case "NS":
				if members, ok := value.([]any); ok && len(x) == 1 {
					for _, m := range members {
						s, _ := m.(string)
						if problem := checkNumber(s); problem != nil {
							return problem
						}
					}
					continue
				}
			}
			if problem := checkNumbers(value); problem != nil {
				return problem
			}
		}
	case []any:
		for _, item := range x {
			if problem := checkNumbers(item); problem != nil {
				return problem
			}
		}
	}
	return nil
}

func checkNumber(s string) *dynamoError {
	trimmed := strings.TrimSpace(s)
	if !utf8.ValidString(s) || !number.MatchString(trimmed) {
		return fail(validation, "The parameter cannot be converted to a numeric value: %s", s)
	}
	mantissa, exponentText, _ := strings.Cut(strings.ToLower(strings.TrimLeft(trimmed, "+-")), "e")
	intPart, fraction, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(intPart+fraction, "0")
	significant := strings.TrimRight(digits, "0")
	if len(significant) > maxNumberDigits {
		return fail(validation, "Attempting to store more than 38 significant digits in a Number")
	}
	if significant == "" {
		return nil // zero
	}
	exponent := 0
	if exponentText != "" {
		if _, err := fmt.Sscanf(exponentText, "%d", &exponent); err != nil {
			return fail(validation, "The parameter cannot be converted to a numeric value: %s", s)
		}
	}
	// The decimal exponent of the leading significant digit.
	leading := exponent + len(strings.TrimLeft(intPart, "0")) - 1
	if strings.TrimLeft(intPart, "0") == "" {
		leading = exponent - (len(fraction) - len(strings.TrimLeft(fraction, "0"))) - 1
	}
	switch {
	case leading > 125:
		return fail(validation, "Number overflow. Attempting to store a number with magnitude larger than supported range")
	case leading < -130:
		return fail(validation, "Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return nil
}
