package stripe

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/faresaga/faresaga/internal/gateway"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripefake"
	"github.com/faresaga/faresaga/internal/gateway/stripe/stripemock"
	"github.com/faresaga/faresaga/internal/money"
	"github.com/faresaga/faresaga/internal/steperr"
)

var ctx = context.Background()

func eur(minor int64) money.Money { return money.Money{Amount: minor, Currency: "EUR"} }

func preauthRequest(key, token string, minor int64) gateway.PreAuthorizeRequest {
	return gateway.PreAuthorizeRequest{IdempotencyKey: key, FareID: "fare-1", PaymentToken: token, Amount: eur(minor)}
}

// adapter is the adapter against a fake, with fresh connections (see stripeTarget).
func adapter(t *testing.T, fake *stripefake.Server, url string, key func(context.Context) (string, error)) *Gateway {
	t.Helper()
	g, err := New(Config{APIKey: key, URL: url, Bindings: NewMemoryBindings(),
		HTTPClient: &http.Client{Timeout: RequestTimeout, Transport: &http.Transport{DisableKeepAlives: true}}})
	require.NoError(t, err)
	return g
}

func name(err error) string { return steperr.Name(steperr.ForStepFunctions("test", err)) }

// writes are the requests that change something, as operation:key.
func writes(fake *stripefake.Server) []string {
	var out []string
	for _, r := range fake.Requests() {
		if r.Method == http.MethodPost {
			out = append(out, r.Operation+" "+r.IdempotencyKey)
		}
	}
	return out
}

// Every write carries a key derived from the caller's, never stripe-go's random one, and
// what the adapter creates carries the fareId.
func TestStripeWritesCarryDeterministicKeysAndTheFareID(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	g := adapter(t, fake, url, fakeKey)
	auth, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	require.NoError(t, err)
	_, err = g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: "capture:fare-1", FareID: "fare-1", AuthorizationCode: auth.Code, Amount: eur(1250)})
	require.NoError(t, err)
	refunded, err := g.Refund(ctx, gateway.RefundRequest{IdempotencyKey: "refund:fare-1", FareID: "fare-1", AuthorizationCode: auth.Code})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"create preauth:fare-1#create", "confirm preauth:fare-1#confirm", "capture capture:fare-1", "refund refund:fare-1",
	}, writes(fake))
	intent, _ := fake.Intent(auth.Code)
	assert.Equal(t, map[string]string{"fareId": "fare-1", captureKeyField: "capture:fare-1"}, intent["metadata"])
	assert.Equal(t, "manual", intent["capture_method"])
	refunds := intent["latest_charge"].(map[string]any)["refunds"].(map[string]any)["data"].([]any)
	require.Len(t, refunds, 1)
	assert.Equal(t, map[string]string{"fareId": "fare-1", refundKeyField: "refund:fare-1"}, refunds[0].(map[string]any)["metadata"])
	assert.Equal(t, refunds[0].(map[string]any)["id"], refunded.RefundID)
}

// stripe-mock is what checks the requests' shape: a request its spec rejects never
// reaches the fake's state, and answers come in the spec's shape.
func TestStripeMockValidatesTheRequests(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{Validator: stripemock.URL(t)})
	client := stripeapi.NewClient(stripefake.APIKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(&stripeapi.BackendConfig{
		URL: stripeapi.String(url), MaxNetworkRetries: stripeapi.Int64(0), LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull}})))
	params := &stripeapi.PaymentIntentCreateParams{Amount: stripeapi.Int64(100), Currency: stripeapi.String("eur")}
	params.AddExtra("capture_methd", "manual") // misspelt: Stripe's spec has no such parameter
	params.SetIdempotencyKey("misspelt")
	_, err := client.V1PaymentIntents.Create(ctx, params)
	var se *stripeapi.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusBadRequest, se.HTTPStatusCode)
	assert.Contains(t, se.Msg, "additional properties are not allowed")
	assert.Empty(t, fake.IntentIDs(), "the rejected request changed nothing")

	g := adapter(t, fake, url, fakeKey)
	auth, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	require.NoError(t, err)
	intent, err := client.V1PaymentIntents.Retrieve(ctx, auth.Code, nil)
	require.NoError(t, err)
	assert.Equal(t, stripeapi.PaymentIntentStatusRequiresCapture, intent.Status, "the fake's state")
	assert.NotEmpty(t, intent.ClientSecret, "stripe-mock's shape: a field the fake does not keep")
}

func TestStripeErrorsSayWhatHappenedAndNothingMore(t *testing.T) {
	tests := []struct {
		name     string
		arrange  func(fake *stripefake.Server)
		token    string
		key      string
		wantErr  string
		contains []string
	}{
		{"a decline", nil, stripefake.Declined, stripefake.APIKey, "PaymentDeclined",
			[]string{"HTTP 402 card_error card_declined decline_code generic_decline advice_code try_again_later request req_fake_"}},
		{"insufficient funds", nil, stripefake.InsufficientFunds, stripefake.APIKey, "PaymentDeclined", []string{"decline_code insufficient_funds"}},
		{"a card that wants the customer's authentication", nil, stripefake.AuthenticationNeeded, stripefake.APIKey, "PaymentDeclined",
			[]string{"authentication_required"}},
		{"an unknown payment method", nil, "pm_secret_unknown", stripefake.APIKey, "PaymentDeclined", []string{"does not know the payment method"}},
		{"a rate limit", func(f *stripefake.Server) { f.FailNext(stripefake.OpCreate, 429) }, stripefake.Visa, stripefake.APIKey, "Throttled", []string{"HTTP 429"}},
		{"Stripe's own error", func(f *stripefake.Server) { f.FailNext(stripefake.OpConfirm, 500) }, stripefake.Visa, stripefake.APIKey, "GatewayUnavailable", []string{"HTTP 500 api_error"}},
		{"Stripe unavailable", func(f *stripefake.Server) { f.FailNext(stripefake.OpCreate, 503) }, stripefake.Visa, stripefake.APIKey, "GatewayUnavailable", []string{"HTTP 503"}},
		{"a wrong API key", nil, stripefake.Visa, "sk_test_wrongsecret", "GatewayRejected", []string{"refused the API key: HTTP 401"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := stripefake.Start(t, stripefake.Options{})
			if tt.arrange != nil {
				tt.arrange(fake)
			}
			g := adapter(t, fake, url, func(context.Context) (string, error) { return tt.key, nil })
			_, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", tt.token, 1250))
			require.Error(t, err)
			assert.Equal(t, tt.wantErr, name(err), "%v", err)
			for _, want := range tt.contains {
				assert.Contains(t, err.Error(), want)
			}
			for _, secret := range []string{tt.token, tt.key, "Your card was declined", "client_secret", "{"} {
				assert.NotContains(t, err.Error(), secret, "Stripe's message and answer stay out of our errors")
			}
		})
	}
}

func TestStripeNetworkFailuresAreTransient(t *testing.T) {
	fake, _ := stripefake.Start(t, stripefake.Options{})
	g := adapter(t, fake, "http://127.0.0.1:1", fakeKey) // nothing listens on port 1
	_, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	assert.Equal(t, "GatewayUnavailable", name(err), "%v", err)
	assert.Contains(t, err.Error(), "no answer from Stripe: connection refused")
	assert.NotContains(t, err.Error(), "127.0.0.1")
}

// Bindings kept by one instance are not seen by another with bindings of its own (a
// misconfiguration): Stripe's own idempotency still refuses a key reused with other
// parameters, and the adapter says so without retrying.
func TestStripeIdempotencyErrorIsAConflictThatSaysWhatHappened(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	_, err := adapter(t, fake, url, fakeKey).PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	require.NoError(t, err)
	_, err = adapter(t, fake, url, fakeKey).PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 999))
	var conflict *gateway.IdempotencyConflict
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, "GatewayRejected", name(err))
	assert.Contains(t, err.Error(), "was already used for a different request; nothing was done (Stripe answered HTTP 400 idempotency_error")
	assert.Equal(t, "preauth:fare-1#create", conflict.Key)
	assert.Len(t, fake.IntentIDs(), 1)
}

// Step Functions may retry while the first attempt is in flight: Stripe answers the
// second 409, which is transient, and the retry after it gets the first answer.
func TestStripeConcurrentRequestUnderOneKeyIsRetried(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	g := adapter(t, fake, url, fakeKey)
	auth, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	require.NoError(t, err)
	capture := gateway.CaptureRequest{IdempotencyKey: "capture:fare-1", FareID: "fare-1", AuthorizationCode: auth.Code, Amount: eur(1250)}

	arrived, release := fake.HoldNext(stripefake.OpCapture)
	var first gateway.Authorization
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		first, firstErr = g.Capture(ctx, capture)
	}()
	<-arrived
	_, err = g.Capture(ctx, capture)
	assert.Equal(t, "GatewayUnavailable", name(err), "%v", err)
	assert.Contains(t, err.Error(), "HTTP 409 invalid_request_error idempotency_key_in_use")
	release()
	<-done
	require.NoError(t, firstErr)
	again, err := g.Capture(ctx, capture)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	assert.Equal(t, gateway.StatusCaptured, again.Status)
}

// What a lost answer costs: the retry of the call makes the requests from the lost one
// on again, the lost one answered from Stripe's saved answer, so nothing is applied
// twice.
func TestStripeLostAnswersCostTheirReplay(t *testing.T) {
	preauthorize := func(g *Gateway, _ string) error {
		_, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-2", stripefake.Visa, 1250))
		return err
	}
	tests := []struct {
		name      string
		lose      string
		call      func(g *Gateway, code string) error
		wantRetry []string // the retry's requests
	}{
		{"pre-authorisation: the intent's creation", stripefake.OpCreate, preauthorize, []string{"create", "confirm"}},
		{"pre-authorisation: its confirmation", stripefake.OpConfirm, preauthorize, []string{"confirm"}},
		{"capture", stripefake.OpCapture, func(g *Gateway, code string) error {
			_, err := g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: "capture:fare-1", FareID: "fare-1", AuthorizationCode: code, Amount: eur(1250)})
			return err
		}, []string{"retrieve", "capture"}},
		{"void", stripefake.OpCancel, func(g *Gateway, code string) error {
			_, err := g.Void(ctx, gateway.VoidRequest{IdempotencyKey: "void:fare-1", FareID: "fare-1", AuthorizationCode: code})
			return err
		}, []string{"cancel"}},
		{"refund", stripefake.OpRefund, func(g *Gateway, code string) error {
			if _, err := g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: "capture:fare-1", FareID: "fare-1", AuthorizationCode: code, Amount: eur(1250)}); err != nil {
				return err
			}
			_, err := g.Refund(ctx, gateway.RefundRequest{IdempotencyKey: "refund:fare-1", FareID: "fare-1", AuthorizationCode: code})
			return err
		}, []string{"retrieve", "capture", "refund"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := stripefake.Start(t, stripefake.Options{})
			g := adapter(t, fake, url, fakeKey)
			auth, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
			require.NoError(t, err)
			fake.LoseNext(tt.lose)
			err = tt.call(g, auth.Code)
			assert.Equal(t, "GatewayUnavailable", name(err), "%v", err)
			lostAt := len(fake.Requests())
			assert.True(t, fake.Requests()[lostAt-1].Lost)

			require.NoError(t, tt.call(g, auth.Code))
			var retry []string
			for _, r := range fake.Requests()[lostAt:] {
				retry = append(retry, r.Operation)
				if r.Operation == tt.lose {
					assert.True(t, r.Replayed, "the lost request is answered from Stripe's saved answer")
				}
			}
			assert.Equal(t, tt.wantRetry, retry)
			assert.Len(t, fake.IntentIDs(), map[bool]int{true: 2, false: 1}[tt.lose == stripefake.OpCreate || tt.lose == stripefake.OpConfirm])
		})
	}
}

// On a kept-alive connection Go's HTTP transport itself resends a request that carries
// an Idempotency-Key when its connection drops: the lost answer is healed inside the
// call, for one extra request, answered from Stripe's saved answer.
func TestStripeTransportHealsALostAnswer(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	g, err := New(Config{APIKey: fakeKey, URL: url, Bindings: NewMemoryBindings()})
	require.NoError(t, err)
	auth, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	require.NoError(t, err)
	fake.LoseNext(stripefake.OpCapture)
	captured, err := g.Capture(ctx, gateway.CaptureRequest{IdempotencyKey: "capture:fare-1", FareID: "fare-1", AuthorizationCode: auth.Code, Amount: eur(1250)})
	require.NoError(t, err)
	assert.Equal(t, gateway.StatusCaptured, captured.Status)
	requests := fake.Requests()
	last := requests[len(requests)-2:]
	assert.Equal(t, []stripefake.Request{
		{Operation: stripefake.OpCapture, Method: http.MethodPost, Path: "/v1/payment_intents/" + auth.Code + "/capture", IdempotencyKey: "capture:fare-1", Status: 200, Lost: true},
		{Operation: stripefake.OpCapture, Method: http.MethodPost, Path: "/v1/payment_intents/" + auth.Code + "/capture", IdempotencyKey: "capture:fare-1", Status: 200, Replayed: true},
	}, last)
}

// The fence against a late pre-authorisation, in each order the two can meet in.
func TestStripeCancellationFencesALatePreAuthorization(t *testing.T) {
	const key = "preauth:fare-1"
	tests := []struct {
		name string
		// hold is the pre-authorisation's request the cancellation overtakes ("": none,
		// the cancellation comes first).
		hold      string
		wantFound bool
	}{
		{"the cancellation comes first", "", false},
		{"the cancellation overtakes the intent's creation", stripefake.OpCreate, false},
		{"the cancellation overtakes the confirmation", stripefake.OpConfirm, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, url := stripefake.Start(t, stripefake.Options{})
			g := adapter(t, fake, url, fakeKey)
			var preauthErr error
			var wg sync.WaitGroup
			if tt.hold != "" {
				arrived, release := fake.HoldNext(tt.hold)
				wg.Go(func() { _, preauthErr = g.PreAuthorize(ctx, preauthRequest(key, stripefake.Visa, 1250)) })
				<-arrived
				defer release()
				_, found, err := g.CancelPreAuthorization(ctx, key)
				require.NoError(t, err)
				assert.Equal(t, tt.wantFound, found)
				release()
				wg.Wait()
			} else {
				_, found, err := g.CancelPreAuthorization(ctx, key)
				require.NoError(t, err)
				assert.False(t, found)
				_, preauthErr = g.PreAuthorize(ctx, preauthRequest(key, stripefake.Visa, 1250))
			}
			var cancelled *gateway.PreAuthorizationCancelled
			require.ErrorAs(t, preauthErr, &cancelled)
			for _, id := range fake.IntentIDs() {
				intent, _ := fake.Intent(id)
				assert.Equal(t, "canceled", intent["status"], "no intent may be left open")
				assert.Nil(t, intent["latest_charge"], "nothing was ever authorised")
			}
			_, found, err := g.Lookup(ctx, key)
			require.NoError(t, err)
			assert.False(t, found)
		})
	}

	t.Run("a confirmation that lands first is voided with the cancellation", func(t *testing.T) {
		fake, url := stripefake.Start(t, stripefake.Options{})
		g := adapter(t, fake, url, fakeKey)
		confirmArrived, releaseConfirm := fake.HoldNext(stripefake.OpConfirm)
		var preauth gateway.Authorization
		var preauthErr error
		var wg sync.WaitGroup
		wg.Go(func() { preauth, preauthErr = g.PreAuthorize(ctx, preauthRequest(key, stripefake.Visa, 1250)) })
		<-confirmArrived
		cancelArrived, releaseCancel := fake.HoldNext(stripefake.OpCancel)
		var cancelled gateway.Authorization
		var found bool
		var cancelErr error
		wg.Go(func() { cancelled, found, cancelErr = g.CancelPreAuthorization(ctx, key) })
		<-cancelArrived // it read the intent unconfirmed, and is about to cancel it
		releaseConfirm()
		for len(fake.Requests()) < 3 { // create, the cancellation's retrieve, confirm answered
			time.Sleep(time.Millisecond)
		}
		releaseCancel()
		wg.Wait()
		require.NoError(t, preauthErr)
		require.NoError(t, cancelErr)
		assert.Equal(t, gateway.StatusAuthorized, preauth.Status)
		assert.True(t, found, "the cancellation reports what it released")
		assert.Equal(t, gateway.StatusVoided, cancelled.Status)
		now, _, err := g.Lookup(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, gateway.StatusVoided, now.Status, "no hold is left")
	})
}

// The key is asked for once per process, and again only after Stripe refused it.
func TestStripeAPIKeyIsCachedAndRefetchedAfterARefusal(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	var calls atomic.Int32
	keys := []string{"sk_test_revoked", stripefake.APIKey}
	g := adapter(t, fake, url, func(context.Context) (string, error) {
		n := calls.Add(1)
		return keys[min(int(n), len(keys))-1], nil
	})
	_, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	assert.Equal(t, "GatewayRejected", name(err))
	for range 3 {
		_, err = g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
		require.NoError(t, err)
	}
	assert.Equal(t, int32(2), calls.Load())

	failing := adapter(t, fake, url, func(context.Context) (string, error) { return "", errors.New("secret not found") })
	_, err = failing.PreAuthorize(ctx, preauthRequest("preauth:fare-9", stripefake.Visa, 1250))
	assert.Equal(t, "GatewayUnavailable", name(err))
	assert.Contains(t, err.Error(), "the Stripe API key: secret not found")
	empty := adapter(t, fake, url, func(context.Context) (string, error) { return " \n", nil })
	_, err = empty.PreAuthorize(ctx, preauthRequest("preauth:fare-9", stripefake.Visa, 1250))
	assert.Contains(t, err.Error(), "the Stripe API key: it is empty")
}

func TestStripeKeysTooLongForASuffixAreHashed(t *testing.T) {
	long := strings.Repeat("k", gateway.MaxIdempotencyKeyLength)
	assert.Equal(t, "preauth:fare-1#create", stripeKey("preauth:fare-1", "create"))
	hashed := stripeKey(long, "confirm")
	assert.LessOrEqual(t, len(hashed), gateway.MaxIdempotencyKeyLength)
	assert.True(t, strings.HasSuffix(hashed, "#confirm"))
	assert.Equal(t, hashed, stripeKey(long, "confirm"), "deterministic")
	assert.NotEqual(t, hashed, stripeKey(long[1:]+"j", "confirm"))
}

// The intent's creation answered, but the answer was lost, and the fare was compensated
// before a retry: the intent stays unconfirmed (it never holds funds), and the retry
// that comes late is refused.
func TestStripeAnIntentWhoseCreationWasLostNeverHoldsFunds(t *testing.T) {
	fake, url := stripefake.Start(t, stripefake.Options{})
	g := adapter(t, fake, url, fakeKey)
	fake.LoseNext(stripefake.OpCreate)
	_, err := g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	assert.Equal(t, "GatewayUnavailable", name(err))
	_, found, err := g.CancelPreAuthorization(ctx, "preauth:fare-1")
	require.NoError(t, err)
	assert.False(t, found)
	_, err = g.PreAuthorize(ctx, preauthRequest("preauth:fare-1", stripefake.Visa, 1250))
	var cancelled *gateway.PreAuthorizationCancelled
	require.ErrorAs(t, err, &cancelled)

	ids := fake.IntentIDs()
	require.Len(t, ids, 1)
	intent, _ := fake.Intent(ids[0])
	assert.Equal(t, "requires_confirmation", intent["status"])
	assert.Nil(t, intent["latest_charge"], "never confirmed")
	assert.Equal(t, []string{"create preauth:fare-1#create"}, writes(fake), "the late retry sent nothing")
}
