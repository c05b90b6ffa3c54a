// Package console is a web console for the local Step Functions API: it lists every
// execution on the server, draws an execution's state machine with the path it took
// (states succeeded, caught, retried, compensating, failed, not run), shows its event
// history and, for a fare, its rows in the saga's tables and its outcome message, and
// starts, stops and resumes fares.
//
// It is a client of the APIs it shows, never a window into the engine: Step Functions
// through aws-sdk-go-v2's sfn client, the tables through the DynamoDB client, and fares
// start and resume through the front door (internal/fareclient), so that the door's
// checks apply. `faresaga local` serves it on its Step Functions listener.
//
// Everything it shows is data: pages are html/template, the script sets text, never
// markup, and the Content-Security-Policy forbids inline script.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/faresaga/faresaga/internal/fareclient"
)

// Config is what a console talks to.
type Config struct {
	// StepFunctions is a client of the Step Functions API the console shows.
	StepFunctions *sfn.Client
	// FareStateMachineARN is the fare-collection machine: its executions are fares,
	// named after their fareId.
	FareStateMachineARN string
	// DynamoDB reaches the saga's tables, for a fare's rows; nil shows none.
	DynamoDB *dynamodb.Client
	// Door is the front door: fares start and resume through it; nil offers neither.
	Door *fareclient.Client
	// Notifications are the messages published about fares; nil shows none.
	Notifications Notifications
	// PageSize is how many executions a page of the list shows; 50 when 0.
	PageSize int
	// Now is the clock of running executions' durations; time.Now when nil.
	Now func() time.Time
	// Log receives one line per failed request; discarded when nil.
	Log *slog.Logger
}

// Notifications are what was published about fares (on the local runtime, the outcome
// topic's recording).
type Notifications interface {
	// AboutFare returns the messages about one fare, oldest first.
	AboutFare(fareID string) []Notification
}

// Notification is one published message.
type Notification struct {
	Message    string
	Attributes map[string]string
}

// DefaultPageSize is how many executions a page of the list shows.
const DefaultPageSize = 50

// Console is the console's http.Handler.
type Console struct {
	cfg   Config
	pages *pages
	mux   *http.ServeMux
	csrf  *http.CrossOriginProtection
}

//go:embed static
var static embed.FS

// New checks the configuration and returns the console.
func New(cfg Config) (*Console, error) {
	if cfg.StepFunctions == nil {
		return nil, errors.New("console: the Step Functions client is required")
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, pages: pages, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	assets, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(assets)))
	c.mux.HandleFunc("GET /{$}", c.list)
	c.mux.HandleFunc("GET /execution", c.execution)
	c.mux.HandleFunc("GET /start", c.startForm)
	c.mux.HandleFunc("POST /start", c.start)
	c.mux.HandleFunc("POST /stop", c.stop)
	c.mux.HandleFunc("POST /resume", c.resume)
	c.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusNotFound, "There is no page here.", nil)
	})
	c.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusForbidden, "This form was sent from another site; nothing was done.", nil)
	}))
	return c, nil
}

// ContentSecurityPolicy is every page's policy: scripts and styles from the console
// itself only (no inline script, no inline style), nothing from elsewhere, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP serves the console's pages, to loopback names only.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !allowedHost(r.Host) {
		// A page of another site that resolves its own name to this machine (DNS
		// rebinding) would otherwise read the console as if it were its own.
		c.fail(w, r, http.StatusMisdirectedRequest, "The console answers to loopback addresses and localhost only.", nil)
		return
	}
	c.csrf.Handler(c.mux).ServeHTTP(w, r)
}

// allowedHost reports whether a Host header names this machine the way a local user
// does: an IP address, or localhost.
func allowedHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}

// fail answers with an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, message string, err error) {
	if err != nil {
		c.cfg.Log.Error("console request failed", "fareId", "", "path", r.URL.Path, "status", status, "error", err.Error())
	}
	c.render(w, status, "error", errorPage{Status: status, StatusText: http.StatusText(status), Message: message, Detail: errorDetail(err)})
}

type errorPage struct {
	Status     int
	StatusText string
	Message    string
	Detail     string
	// Answer is the front door's answer, when it refused.
	Answer *doorRefusal
}

// errorDetail is what an error from an API says, for the page.
func errorDetail(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// requestContext bounds the work of one page: the APIs are on loopback, a page that takes
// longer is stuck.
func requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), 20*time.Second)
}

// formValue reads one field of a posted form, bounding the body.
func formValue(w http.ResponseWriter, r *http.Request, name string, limit int64) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return "", fmt.Errorf("the form could not be read: %w", err)
	}
	return r.PostForm.Get(name), nil
}
