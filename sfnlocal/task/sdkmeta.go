package task

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// Step Functions calls services with the AWS SDK for Java 1.x and returns the SDK's
// result object, so every service result carries SdkHttpMetadata (the HTTP headers,
// once as lists and once as single values) and SdkResponseMetadata.

// httpHeader is one response header in the order AWS lists them.
type httpHeader struct{ name, value string }

// withSdkMetadata adds SdkHttpMetadata and SdkResponseMetadata to a result.
func withSdkMetadata(result *jsonvalue.Object, requestID string, headers []httpHeader) *jsonvalue.Object {
	all := jsonvalue.NewObject(len(headers))
	single := jsonvalue.NewObject(len(headers))
	for _, h := range headers {
		all.Set(h.name, []any{h.value})
		single.Set(h.name, h.value)
	}
	result.Set("SdkHttpMetadata", jsonvalue.ObjectOf(
		"AllHttpHeaders", all,
		"HttpHeaders", single,
		"HttpStatusCode", float64(http.StatusOK),
	))
	result.Set("SdkResponseMetadata", jsonvalue.ObjectOf("RequestId", requestID))
	return result
}

func contentLength(body []byte) string { return strconv.Itoa(len(body)) }

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// serviceErrorCause formats a service error the way the Java SDK 1.x prints an
// AmazonServiceException, which is the Cause Step Functions reports, e.g.
// "Function not found: ... (Service: AWSLambda; Status Code: 404; Error Code:
// ResourceNotFoundException; Request ID: ...; Proxy: null)".
func serviceErrorCause(message, service string, status int, code, requestID string) string {
	return fmt.Sprintf("%s (Service: %s; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		message, service, status, code, requestID)
}
