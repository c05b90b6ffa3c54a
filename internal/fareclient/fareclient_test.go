package fareclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isolatedAWSEnvironment gives the default credential chain static keys and no files,
// so that nothing of the developer's configuration decides the test.
func isolatedAWSEnvironment(t *testing.T, region string) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDFARESAGATEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", region)
	t.Setenv("AWS_DEFAULT_REGION", "")
}

func TestNewSignsBeyondLoopback(t *testing.T) {
	tests := []struct {
		endpoint, awsRegion string
		signed              bool
		region              string
		wantErr             string
	}{
		{"http://127.0.0.1:8085", "", false, "", ""},
		{"http://localhost:8085/", "", false, "", ""},
		{"http://[::1]:8085", "", false, "", ""},
		{"https://abc123.execute-api.eu-west-1.amazonaws.com/", "us-east-1", true, "eu-west-1", ""}, // the endpoint's region wins
		{"https://abc123.execute-api.cn-north-1.amazonaws.com.cn", "", true, "cn-north-1", ""},
		{"https://fares.example.com/v1", "eu-central-1", true, "eu-central-1", ""},
		{"https://fares.example.com", "", false, "", "set AWS_REGION"},
		{"ftp://127.0.0.1", "", false, "", "not an http(s) URL"},
		{"127.0.0.1:8085", "", false, "", "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			isolatedAWSEnvironment(t, tt.awsRegion)
			c, err := New(context.Background(), tt.endpoint, Options{})
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			signed, region := c.Signed()
			assert.Equal(t, tt.signed, signed)
			assert.Equal(t, tt.region, region)
		})
	}
}

// A signed request carries a Signature Version 4 for execute-api that a verifier with
// the same secret recomputes from what arrived: method, path, signed headers and body.
func TestSignedRequestsVerify(t *testing.T) {
	const secret = "verifier-shares-this-secret"
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	fare := []byte(`{"fareId":"fare-1","customerId":"cust-1","amount":1250,"currency":"EUR","paymentToken":"tok_1"}`)
	var verified []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Equal(t, recomputeSignature(t, r, body, secret, at), r.Header.Get("Authorization"))
		verified = append(verified, r.Method+" "+r.URL.EscapedPath())
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer server.Close()
	c, err := New(context.Background(), server.URL+"/dev", Options{Signing: &Signing{
		Credentials: credentials.NewStaticCredentialsProvider("AKIDFARESAGATEST", secret, ""),
		Region:      "eu-west-1", Now: func() time.Time { return at },
	}})
	require.NoError(t, err)

	started, err := c.Start(context.Background(), fare)
	require.NoError(t, err)
	assert.Equal(t, Answer{Status: 200, Body: []byte(`{"ok":true}`)}, started)
	_, err = c.Status(context.Background(), "fare-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"POST /dev/fares", "GET /dev/fares/fare-1"}, verified)
}

// recomputeSignature signs again, as API Gateway verifies, a request made of exactly
// what the received one says was signed.
func recomputeSignature(t *testing.T, received *http.Request, body []byte, secret string, at time.Time) string {
	t.Helper()
	authorization := received.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(authorization, "AWS4-HMAC-SHA256 Credential=AKIDFARESAGATEST/20261127/eu-west-1/execute-api/aws4_request, "), authorization)
	_, signedHeaders, ok := strings.Cut(authorization, "SignedHeaders=")
	require.True(t, ok)
	signedHeaders, _, _ = strings.Cut(signedHeaders, ",")

	again, err := http.NewRequest(received.Method, "http://"+received.Host+received.URL.EscapedPath(), bytes.NewReader(body))
	require.NoError(t, err)
	for _, name := range strings.Split(signedHeaders, ";") {
		if name != "host" && name != "content-length" {
			again.Header.Set(name, received.Header.Get(name))
		}
	}
	sum := sha256.Sum256(body)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDFARESAGATEST", SecretAccessKey: secret},
		again, hex.EncodeToString(sum[:]), "execute-api", "eu-west-1", at))
	return again.Header.Get("Authorization")
}

func TestUnsignedOnLoopback(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("Authorization"))
		assert.Equal(t, "/fares/fare%201", r.URL.EscapedPath(), "the fareId is escaped")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"NotFound"}`)
	}))
	defer server.Close()
	c, err := New(context.Background(), server.URL, Options{})
	require.NoError(t, err)
	answer, err := c.Status(context.Background(), "fare 1")
	require.NoError(t, err)
	assert.Equal(t, Answer{Status: 404, Body: []byte(`{"error":"NotFound"}`)}, answer)
}
