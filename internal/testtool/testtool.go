// Package testtool gets the outside programs that tests run for real (AWS's Lambda
// Runtime Interface Emulator, stripe-mock): a pinned Go program is installed once into
// the user's cache from the Go module proxy, and started on a free loopback port.
package testtool

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Program is a pinned Go program a test needs.
type Program struct {
	Name    string // the binary's name
	Module  string // its package path for go install
	Version string // pinned: a version known to install and to behave as the tests expect
	// RequiredVar names the environment variable that makes a program that cannot be
	// obtained a failure instead of a skip: CI sets it, where a skipped test would pass
	// unnoticed.
	RequiredVar string
}

// installTimeout stops a hung proxy from holding the whole test run until go test's own
// timeout.
const installTimeout = 5 * time.Minute

// Binary returns the path of the program, installing it first into
// <user cache>/faresaga/<name>/<version>/ when it is not there, so that later runs and
// other checkouts reuse it. When it cannot be installed, the test skips saying why, or
// fails if RequiredVar is set.
func (p Program) Binary(t testing.TB) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "faresaga", p.Name, p.Version)
	path := filepath.Join(dir, p.Name)
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		return path
	}
	if err := p.install(t, dir); err != nil {
		p.Unavailable(t, "cannot install %s (%v)\nIt comes from the Go module proxy: allow access to it (GOPROXY), or install it "+
			"once by hand with\n  GOBIN=%s go install %s@%s", p.Name, err, dir, p.Module, p.Version)
	}
	return path
}

// install builds into a directory of its own and renames the binary into place, so that
// test binaries installing at the same time never see half a file.
func (p Program) install(t testing.TB, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	staging, err := os.MkdirTemp(filepath.Dir(dir), p.Version+".install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	install := exec.CommandContext(ctx, "go", "install", p.Module+"@"+p.Version)
	// Outside the module, so the project's go.mod and its -mod settings play no part.
	install.Dir = t.TempDir()
	install.Env = append(os.Environ(), "GOBIN="+staging, "CGO_ENABLED=0", "GOOS=", "GOARCH=", "GOFLAGS=")
	if out, err := install.CombinedOutput(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			out = append(out, fmt.Sprintf("\n(go install gave up after %s)", installTimeout)...)
		}
		return fmt.Errorf("%w:\n%s", err, out)
	}
	return os.Rename(filepath.Join(staging, p.Name), filepath.Join(dir, p.Name))
}

// Unavailable skips, or fails when the environment says the program is required.
func (p Program) Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(p.RequiredVar) != "" {
		t.Fatalf(format+"\n(%s is set, so this is a failure, not a skip)", append(args, p.RequiredVar)...)
	}
	t.Skipf(format+"\n(set %s=1 to make this a failure)", append(args, p.RequiredVar)...)
}

// FreeLoopbackAddress asks the kernel for a free port. Another process could take it
// before the caller binds it; on a test machine that is rare enough.
func FreeLoopbackAddress(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitListening returns once address accepts connections, or an error when exited is
// closed first (the program died) or timeout passes.
func WaitListening(address string, timeout time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", address, time.Second)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-exited:
			return fmt.Errorf("the program exited before listening on %s", address)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing listened on %s within %s: %w", address, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
