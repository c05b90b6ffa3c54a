// Package fareclient is the front door's client: POST /fares and GET /fares/{fareId}.
// On AWS the door is an HTTP API with IAM authorisation, so requests to an endpoint
// beyond loopback are signed with Signature Version 4 (service execute-api) with the
// default credential chain; `faresaga local`'s door on loopback takes them unsigned.
package fareclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// DefaultEndpoint is `faresaga local`'s door.
const DefaultEndpoint = "http://127.0.0.1:8085"

// maxAnswerBytes bounds what is read of an answer: the door's are a few hundred bytes.
const maxAnswerBytes = 1 << 20

// Client talks to one door.
type Client struct {
	endpoint *url.URL
	http     *http.Client
	// signing, when set, signs every request for API Gateway.
	signing *Signing
}

// Signing is what requests are signed with.
type Signing struct {
	Credentials aws.CredentialsProvider
	Region      string
	Now         func() time.Time // time.Now when nil
}

// Options adjust a client.
type Options struct {
	// HTTP is the client requests go through; a client with a 30 s timeout when nil.
	HTTP *http.Client
	// Signing overrides the choice New makes from the endpoint: set, requests are signed
	// with it even on loopback.
	Signing *Signing
}

// New is a client for the door at endpoint (its base URL, such as the stack output
// FareApiUrl). For an endpoint beyond loopback it loads the default AWS configuration
// to sign requests; the region is the endpoint's (<api>.execute-api.<region>.amazonaws.com),
// else AWS_REGION's or the profile's.
func New(ctx context.Context, endpoint string, opts Options) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("the door's endpoint %q is not an http(s) URL", endpoint)
	}
	c := &Client{endpoint: base, http: opts.HTTP, signing: opts.Signing}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.signing == nil && !IsLoopback(base) {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("load AWS configuration to sign requests to %s: %w", base.Host, err)
		}
		region := RegionOf(base.Hostname())
		if region == "" {
			region = cfg.Region
		}
		if region == "" {
			return nil, fmt.Errorf("cannot tell the region of %s to sign requests: set AWS_REGION", base.Host)
		}
		c.signing = &Signing{Credentials: cfg.Credentials, Region: region}
	}
	return c, nil
}

// Signed reports whether the client signs its requests, and for which region.
func (c *Client) Signed() (bool, string) {
	if c.signing == nil {
		return false, ""
	}
	return true, c.signing.Region
}

// IsLoopback reports whether the URL's host is this machine.
func IsLoopback(u *url.URL) bool {
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var executeAPIHost = regexp.MustCompile(`^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$`)

// RegionOf is the region in an API Gateway host name, "" for any other host (a custom
// domain says nothing of its region).
func RegionOf(host string) string {
	if m := executeAPIHost.FindStringSubmatch(strings.ToLower(host)); m != nil {
		return m[1]
	}
	return ""
}

// Answer is the door's answer: its status and JSON body.
type Answer struct {
	Status int
	Body   []byte
}

// Start submits a fare (POST /fares). The fare's answer is a 202 when it was started,
// a 200 when it was submitted before; any other status is the door's error.
func (c *Client) Start(ctx context.Context, fare []byte) (Answer, error) {
	return c.do(ctx, http.MethodPost, "/fares", fare)
}

// Status asks where a fare stands (GET /fares/{fareId}).
func (c *Client) Status(ctx context.Context, fareID string) (Answer, error) {
	return c.do(ctx, http.MethodGet, "/fares/"+url.PathEscape(fareID), nil)
}

func (c *Client) do(ctx context.Context, method, path string, body []byte) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint.String()+path, bytes.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if err := c.sign(ctx, req, body); err != nil {
		return Answer{}, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	read, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return Answer{}, fmt.Errorf("read the door's answer: %w", err)
	}
	return Answer{Status: resp.StatusCode, Body: read}, nil
}

func (c *Client) sign(ctx context.Context, req *http.Request, body []byte) error {
	if c.signing == nil {
		return nil
	}
	if c.signing.Credentials == nil {
		return errors.New("no AWS credentials to sign the request with")
	}
	creds, err := c.signing.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials to sign the request: %w", err)
	}
	now := time.Now
	if c.signing.Now != nil {
		now = c.signing.Now
	}
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "execute-api", c.signing.Region, now())
}
