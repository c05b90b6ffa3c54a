// Package stripemock gives tests a running stripe-mock (github.com/stripe/stripe-mock),
// Stripe's own stateless API mock, which validates every request against Stripe's
// OpenAPI spec and answers with fixtures. The pinned version is installed once into the
// user's cache and started for the test on free loopback ports; FARESAGA_STRIPE_MOCK_URL
// points the tests at one already running instead.
package stripemock

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/internal/testtool"
)

// URLVar names a stripe-mock already running, such as http://127.0.0.1:12111.
const URLVar = "FARESAGA_STRIPE_MOCK_URL"

// Program is stripe-mock, pinned. FARESAGA_STRIPE_REQUIRED (CI sets it) makes a
// stripe-mock that cannot be installed a failure instead of a skip.
var Program = testtool.Program{
	Name:        "stripe-mock",
	Module:      "github.com/stripe/stripe-mock",
	Version:     "v0.203.0",
	RequiredVar: "FARESAGA_STRIPE_REQUIRED",
}

// URL returns the base URL of a stripe-mock for the test: URLVar's, or one started now
// and stopped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	if url := os.Getenv(URLVar); url != "" {
		return url
	}
	bin := Program.Binary(t)
	address := testtool.FreeLoopbackAddress(t)
	// Both listeners on loopback: with -http-addr alone, stripe-mock still serves HTTPS
	// on every interface, on a fixed port that a second instance could not bind.
	cmd := exec.Command(bin, "-http-addr", address, "-https-addr", testtool.FreeLoopbackAddress(t))
	output := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = output, output
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		Program.Unavailable(t, "cannot start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	if err := testtool.WaitListening(address, 30*time.Second, exited); err != nil {
		t.Fatalf("stripe-mock: %v\n%s", err, output)
	}
	return "http://" + address
}
