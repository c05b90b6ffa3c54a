package rie

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// invocationPath is the emulator's stand-in for Lambda's Invoke API.
const invocationPath = "/2015-03-31/functions/function/invocations"

// emulator is one aws-lambda-rie process serving one function's bootstrap.
type emulator struct {
	cmd       *exec.Cmd
	address   string // where the emulator takes invocations
	bootstrap string
	output    *lockedBuffer // the emulator's log and the function's, interleaved
	exited    chan struct{}
}

// startEmulator runs the bootstrap under the emulator, on loopback only, with exactly
// env as its environment, and returns once the emulator accepts connections.
func startEmulator(t *testing.T, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	e := &emulator{
		address:   freeLoopbackAddress(t),
		bootstrap: bootstrap,
		output:    &lockedBuffer{},
		exited:    make(chan struct{}),
	}
	// Both listeners are pinned to loopback: the emulator's default is 0.0.0.0:8080,
	// and the Runtime API's fixed 127.0.0.1:9001 would collide with any other emulator.
	e.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", e.address,
		"--runtime-api-address", freeLoopbackAddress(t),
		bootstrap)
	// Lambda starts a bootstrap in its own directory (/var/task); so does the emulator,
	// from its working directory.
	e.cmd.Dir = filepath.Dir(bootstrap)
	e.cmd.Env = env
	e.cmd.Stdout = e.output
	e.cmd.Stderr = e.output
	ownProcessGroup(e.cmd)
	if err := e.cmd.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	go func() {
		_ = e.cmd.Wait()
		close(e.exited)
	}()
	t.Cleanup(func() {
		e.stop(t)
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", e.output)
		}
	})
	e.waitUntilListening(t)
	return e
}

func (e *emulator) waitUntilListening(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", e.address, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-e.exited:
			t.Fatalf("the emulator exited before listening on %s: %v", e.address, e.cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator did not listen on %s within 10s: %v", e.address, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// invoke sends one payload and returns the response body. The emulator crashes on
// concurrent invocations, so callers must invoke one at a time.
func (e *emulator) invoke(t *testing.T, payload string) []byte {
	t.Helper()
	// Above the function's own timeout, so a hung function is reported by the emulator.
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post("http://"+e.address+invocationPath, "application/json", strings.NewReader(payload))
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the response: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("invoke: HTTP %d: %s", resp.StatusCode, body)
	}
	return body
}

// stop ends the emulator and checks that the function's process went with it. The
// emulator starts the runtime in a process group of its own, so ending the emulator's
// group is not enough proof: the runtime is looked for by its executable.
func (e *emulator) stop(t *testing.T) {
	t.Helper()
	select {
	case <-e.exited:
	default:
		signalGroup(e.cmd.Process.Pid, false)
		select {
		case <-e.exited:
		case <-time.After(5 * time.Second):
			t.Errorf("the emulator ignored SIGTERM for 5s; killing it")
			signalGroup(e.cmd.Process.Pid, true)
			<-e.exited
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := processesRunning(e.bootstrap)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the function's runtime outlived the emulator (pids %v); killing it", left)
			for _, pid := range left {
				killProcess(pid)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freeLoopbackAddress asks the kernel for a free port. Another process could take it
// before the emulator binds it; the emulator then exits and waitUntilListening says so.
func freeLoopbackAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
