// Package stripefake is an in-process Stripe API for the tests: the PaymentIntent and
// Refund endpoints the adapter uses, with the state and the behaviour stripe-mock lacks
// (stripe-mock answers fixed fixtures): manual capture, declines by test payment
// method, Stripe's idempotency (saved answers replayed, errors included; a key reused
// with other parameters is an idempotency_error; a request under a key still in flight
// gets 409; 429s and invalid requests are not saved), expiry of uncaptured
// authorisations on its own clock, and faults on demand: a response lost after the
// effect, a request held in flight, an error status.
//
// With Options.Validator set to a stripe-mock URL, every request first goes to
// stripe-mock, which checks it against Stripe's OpenAPI spec: a request it rejects is
// answered with its rejection, and an accepted one is answered with stripe-mock's
// response, spec-shaped, overlaid with this server's state.
package stripefake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// APIKey is the secret key the server accepts unless Options say otherwise.
const APIKey = "sk_test_faresagafake" // stripe-mock wants sk_test_<one word>

// Test payment methods, as in Stripe's test mode, and one of our own.
const (
	Visa                  = "pm_card_visa"
	Mastercard            = "pm_card_mastercard"
	Declined              = "pm_card_chargeDeclined"
	InsufficientFunds     = "pm_card_chargeDeclinedInsufficientFunds"
	AuthenticationNeeded  = "pm_card_authenticationRequired"
	CaptureDeclined       = "pm_card_captureDeclined" // not Stripe's: authorised, then declined at capture
	authorizationLifetime = 7 * 24 * time.Hour
)

// Operations name the endpoints, for faults and the request log.
const (
	OpCreate   = "create"   // POST /v1/payment_intents
	OpConfirm  = "confirm"  // POST /v1/payment_intents/{id}/confirm
	OpCapture  = "capture"  // POST /v1/payment_intents/{id}/capture
	OpCancel   = "cancel"   // POST /v1/payment_intents/{id}/cancel
	OpRetrieve = "retrieve" // GET /v1/payment_intents/{id}
	OpRefund   = "refund"   // POST /v1/refunds
)

// Options configure a server.
type Options struct {
	APIKey    string    // "" means APIKey
	Start     time.Time // the clock's start; zero: 2026-01-05 09:00 UTC
	Validator string    // a stripe-mock base URL, or ""
}

// Request is one request the server answered.
type Request struct {
	Operation      string
	Method, Path   string
	IdempotencyKey string
	Status         int
	Replayed       bool // answered from a saved response
	Lost           bool // its response was dropped
}

// Server is the fake Stripe API. It is an http.Handler.
type Server struct {
	apiKey    string
	validator string
	client    *http.Client

	mu       sync.Mutex
	now      time.Time
	seq      int
	intents  map[string]*intent
	saved    map[string]*savedResponse
	lose     map[string]int
	fail     map[string]int // operation -> status to answer without acting
	held     map[string]chan struct{}
	requests []Request
}

// New returns a server with no state.
func New(opts Options) *Server {
	s := &Server{apiKey: opts.APIKey, validator: strings.TrimRight(opts.Validator, "/"), now: opts.Start,
		client:  &http.Client{Timeout: 10 * time.Second},
		intents: map[string]*intent{}, saved: map[string]*savedResponse{},
		lose: map[string]int{}, fail: map[string]int{}, held: map[string]chan struct{}{}}
	if s.apiKey == "" {
		s.apiKey = APIKey
	}
	if s.now.IsZero() {
		s.now = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	}
	return s
}

// Start serves a new server on a loopback port until the test ends; it returns the
// server and its base URL.
func Start(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	s := New(opts)
	httpServer := httptest.NewServer(s)
	t.Cleanup(httpServer.Close)
	return s, httpServer.URL
}

// Advance moves the server's clock, ageing its authorisations.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// LoseNext makes the next request of operation act, save its answer under its key, and
// then drop the connection without answering.
func (s *Server) LoseNext(operation string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lose[operation]++
}

// FailNext answers the next request of operation with status (429, 500, 503...)
// without acting and without saving the answer.
func (s *Server) FailNext(operation string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[operation] = status
}

// HoldNext stops the next request of operation once its idempotency key is marked in
// flight, until release is called; arrived is closed when it is waiting.
func (s *Server) HoldNext(operation string) (arrived <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gate, waiting := make(chan struct{}), make(chan struct{})
	s.held[operation] = gate
	s.held[operation+"/arrived"] = waiting
	var once sync.Once
	return waiting, func() { once.Do(func() { close(gate) }) }
}

// Requests returns every request answered so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Intent returns a JSON view of a payment intent, for assertions.
func (s *Server) Intent(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.intents[id]
	if !ok {
		return nil, false
	}
	s.age(in)
	return s.renderIntent(in, expansions{"latest_charge": true, "latest_charge.refunds": true}), true
}

// IntentIDs lists the payment intents in creation order.
func (s *Server) IntentIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.intents))
	for id := range s.intents {
		ids = append(ids, id)
	}
	slices.Sort(ids) // ids carry a zero-padded sequence number
	return ids
}

type savedResponse struct {
	fingerprint string
	inFlight    bool
	status      int
	body        []byte
}

// answer is what an endpoint returns: a status and a JSON body. unsaved marks the
// answers Stripe does not keep under the key (invalid requests).
type answer struct {
	status  int
	body    any
	unsaved bool
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op, route := s.route(r.Method, r.URL.Path)
	key := r.Header.Get("Idempotency-Key")
	logged := Request{Operation: op, Method: r.Method, Path: r.URL.Path, IdempotencyKey: key}
	form, _ := url.ParseQuery(string(body))
	if r.Method == http.MethodGet {
		form = r.URL.Query()
	}

	if r.Header.Get("Authorization") != "Bearer "+s.apiKey {
		s.write(w, logged, answer{status: http.StatusUnauthorized, body: apiError("invalid_request_error", "", "Invalid API Key provided.")})
		return
	}
	if route == nil {
		s.write(w, logged, answer{status: http.StatusNotFound, body: apiError("invalid_request_error", "", "Unrecognized request URL ("+r.Method+": "+r.URL.Path+").")})
		return
	}
	shape, rejected := s.validate(r, body)
	if rejected != nil {
		s.writeRaw(w, logged, rejected.status, rejected.body)
		return
	}

	s.mu.Lock()
	if status, ok := s.fail[op]; ok {
		delete(s.fail, op)
		s.mu.Unlock()
		s.write(w, logged, answer{status: status, body: apiError(map[bool]string{true: "invalid_request_error", false: "api_error"}[status == 429],
			map[bool]string{true: "rate_limit", false: ""}[status == 429], "Injected failure.")})
		return
	}
	fingerprint := r.Method + " " + r.URL.Path + "?" + canonical(form)
	if key != "" && r.Method == http.MethodPost {
		if prior, ok := s.saved[key]; ok {
			s.mu.Unlock()
			switch {
			case prior.inFlight:
				s.write(w, logged, answer{status: http.StatusConflict, body: apiError("invalid_request_error", "idempotency_key_in_use",
					"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): "+key+". Please try again later.")})
			case prior.fingerprint != fingerprint:
				s.write(w, logged, answer{status: http.StatusBadRequest, body: apiError("idempotency_error", "",
					"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '"+key+"' if you meant to execute a different request.")})
			default:
				logged.Replayed = true
				w.Header().Set("Idempotent-Replayed", "true")
				s.writeRaw(w, logged, prior.status, prior.body)
			}
			return
		}
		s.saved[key] = &savedResponse{fingerprint: fingerprint, inFlight: true}
	}
	gate, waiting := s.held[op], s.held[op+"/arrived"]
	delete(s.held, op)
	delete(s.held, op+"/arrived")
	s.mu.Unlock()
	if gate != nil {
		close(waiting)
		<-gate
	}

	s.mu.Lock()
	a := route(form)
	raw := s.overlay(shape, a)
	lost := s.lose[op] > 0
	if lost {
		s.lose[op]--
	}
	if key != "" && r.Method == http.MethodPost {
		if a.unsaved {
			delete(s.saved, key)
		} else {
			s.saved[key] = &savedResponse{fingerprint: fingerprint, status: a.status, body: raw}
		}
	}
	s.mu.Unlock()

	if lost {
		logged.Status, logged.Lost = a.status, true
		s.log(logged)
		hijacker, ok := w.(http.Hijacker)
		if !ok {
			panic("stripefake: the response writer cannot drop the connection")
		}
		conn, _, err := hijacker.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	s.writeRaw(w, logged, a.status, raw)
}

// route finds the endpoint of a request.
func (s *Server) route(method, path string) (string, func(url.Values) answer) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case method == http.MethodPost && path == "/v1/payment_intents":
		return OpCreate, s.create
	case method == http.MethodPost && path == "/v1/refunds":
		return OpRefund, s.refund
	case len(parts) == 3 && parts[0] == "v1" && parts[1] == "payment_intents" && method == http.MethodGet:
		return OpRetrieve, func(f url.Values) answer { return s.retrieve(parts[2], f) }
	case len(parts) == 4 && parts[0] == "v1" && parts[1] == "payment_intents" && method == http.MethodPost:
		id := parts[2]
		switch parts[3] {
		case "confirm":
			return OpConfirm, func(f url.Values) answer { return s.confirm(id, f) }
		case "capture":
			return OpCapture, func(f url.Values) answer { return s.capture(id, f) }
		case "cancel":
			return OpCancel, func(f url.Values) answer { return s.cancel(id, f) }
		}
	}
	return "", nil
}

type rejection struct {
	status int
	body   []byte
}

// validate sends the request to stripe-mock, when there is one: its rejection, or the
// shape of its answer.
func (s *Server) validate(r *http.Request, body []byte) (map[string]any, *rejection) {
	if s.validator == "" {
		return nil, nil
	}
	req, err := http.NewRequest(r.Method, s.validator+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, &rejection{status: http.StatusInternalServerError, body: mustJSON(apiError("api_error", "", err.Error()))}
	}
	for _, h := range []string{"Authorization", "Content-Type", "Idempotency-Key"} {
		req.Header.Set(h, r.Header.Get(h))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, &rejection{status: http.StatusBadGateway, body: mustJSON(apiError("api_error", "", "stripe-mock: "+err.Error()))}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &rejection{status: http.StatusBadGateway, body: mustJSON(apiError("api_error", "", "stripe-mock: "+err.Error()))}
	}
	if resp.StatusCode >= 400 {
		return nil, &rejection{status: resp.StatusCode, body: raw}
	}
	var shape map[string]any
	if err := json.Unmarshal(raw, &shape); err != nil {
		return nil, &rejection{status: http.StatusBadGateway, body: mustJSON(apiError("api_error", "", "stripe-mock answered no JSON object"))}
	}
	return shape, nil
}

// overlay renders an answer: on stripe-mock's shape when there is one, with every field
// this server keeps replacing stripe-mock's fixture value.
func (s *Server) overlay(shape map[string]any, a answer) []byte {
	ours := a.body
	if shape != nil && a.status < 400 {
		ours = merge(shape, ours)
	}
	return mustJSON(ours)
}

// merge lays ours over base: objects merge field by field, except metadata, which is
// ours whole; anything else is ours.
func merge(base, ours any) any {
	b, okBase := base.(map[string]any)
	o, okOurs := ours.(map[string]any)
	if !okBase || !okOurs {
		return ours
	}
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	for k, v := range o {
		if k == "metadata" {
			out[k] = v
			continue
		}
		out[k] = merge(b[k], v)
	}
	return out
}

func (s *Server) write(w http.ResponseWriter, logged Request, a answer) {
	s.writeRaw(w, logged, a.status, mustJSON(a.body))
}

func (s *Server) writeRaw(w http.ResponseWriter, logged Request, status int, body []byte) {
	logged.Status = status
	id := s.log(logged)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", fmt.Sprintf("req_fake_%06d", id))
	if logged.IdempotencyKey != "" {
		w.Header().Set("Idempotency-Key", logged.IdempotencyKey)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) log(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests)
}

// canonical is a form's parameters in a stable order, for comparing requests.
func canonical(form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v) + "&")
		}
	}
	return b.String()
}

func apiError(typ, code, message string) map[string]any {
	e := map[string]any{"type": typ, "message": message}
	if code != "" {
		e["code"] = code
	}
	return map[string]any{"error": e}
}

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}
