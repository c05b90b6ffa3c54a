package rie

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The emulator is pinned: a version known to install from the module proxy and to
// behave as this test expects (one invocation at a time).
const (
	emulatorModule  = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	emulatorVersion = "v0.0.0-20261030222936-bef5c4ba774d"
)

// requiredVar makes an emulator that cannot be installed a failure instead of a skip,
// for CI, where a skipped smoke test would pass unnoticed.
const requiredVar = "FARESAGA_RIE_REQUIRED"

// emulatorBinary returns the pinned aws-lambda-rie, installing it once into the user's
// cache so that later runs (and other checkouts) reuse it. It skips the test, saying
// why, when the emulator cannot be obtained.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "faresaga", "aws-lambda-rie", emulatorVersion)
	path := filepath.Join(bin, "aws-lambda-rie")
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		return path
	}

	// A hung proxy must not hold the whole test run until go test's own timeout.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, "go", "install", emulatorModule+"@"+emulatorVersion)
	// Outside the module, so the project's go.mod and its -mod settings play no part.
	install.Dir = t.TempDir()
	install.Env = append(os.Environ(), "GOBIN="+bin, "CGO_ENABLED=0", "GOOS=", "GOARCH=")
	out, err := install.CombinedOutput()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			out = append(out, "\n(go install gave up after 5 minutes)"...)
		}
		unavailable(t, "cannot install the Lambda Runtime Interface Emulator (%v):\n%s\n"+
			"It comes from the Go module proxy: allow access to it (GOPROXY), or install it "+
			"once by hand with\n  GOBIN=%s go install %s@%s", err, out, bin, emulatorModule, emulatorVersion)
	}
	return path
}

// unavailable skips, or fails when the environment says the emulator is required.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv(requiredVar) != "" {
		t.Fatalf(format+"\n(%s is set, so this is a failure, not a skip)", append(args, requiredVar)...)
	}
	t.Skipf(format+"\n(set %s=1 to make this a failure)", append(args, requiredVar)...)
}
