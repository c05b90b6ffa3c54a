package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The AWS JSON 1.0 protocol: every operation is a POST whose X-Amz-Target header names
// it, with a JSON object as body and as answer.
const (
	targetPrefix = "AWSStepFunctions."
	contentType  = "application/x-amz-json-1.0"
	// MaxRequestBytes caps a request body. The largest legitimate request is a 1 MiB
	// definition, which JSON escaping can at most about double.
	MaxRequestBytes = 4 << 20
)

// operationName reads the X-Amz-Target header: "AWSStepFunctions.StartExecution".
func operationName(r *http.Request) (string, *apiError) {
	if r.Method != http.MethodPost {
		return "", clientError(codeUnknownOperation, "Step Functions operations are POST requests, not %s", r.Method)
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	if !ok || name == "" {
		return "", clientError(codeUnknownOperation, "unknown X-Amz-Target %q: expected %s<Operation>", target, targetPrefix)
	}
	return name, nil
}

// readBody reads the request body, refusing one larger than MaxRequestBytes rather than
// holding it in memory.
func readBody(r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		return nil, clientError(codeSerialization, "cannot read the request body: %v", err)
	}
	if len(body) > MaxRequestBytes {
		return nil, &apiError{Status: http.StatusRequestEntityTooLarge, Code: codeTooLarge,
			Message: fmt.Sprintf("the request body is larger than the %d bytes this server accepts", MaxRequestBytes)}
	}
	return body, nil
}

// decodeRequest unmarshals an operation's body. An empty body is an empty request;
// unknown members are ignored, as AWS does; a member of the wrong type or a body that is
// not one JSON object is a SerializationException.
func decodeRequest(body []byte, into any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	if err := decoder.Decode(into); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return clientError(codeSerialization, "member '%s' cannot be a JSON %s", typeErr.Field, typeErr.Value)
		}
		return clientError(codeSerialization, "the request body is not a JSON object: %v", err)
	}
	if decoder.More() {
		return clientError(codeSerialization, "the request body has data after its JSON object")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(errorBody{Type: codeInternalFailure, Message: "cannot encode the response: " + err.Error()})
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, err *apiError) {
	writeJSON(w, err.Status, errorBody{Type: err.Code, Message: err.Message})
}

// timestamp is a date on the wire: epoch seconds, with milliseconds as the fraction.
type timestamp float64

func stamp(t time.Time) timestamp { return timestamp(float64(t.UnixMilli()) / 1000) }

// optionalStamp is nil for the zero time, so the member is left out.
func optionalStamp(t time.Time) *timestamp {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}
