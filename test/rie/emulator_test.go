package rie

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faresaga/faresaga/internal/syncbuf"
	"github.com/faresaga/faresaga/internal/testtool"
)

// invocationPath is the emulator's stand-in for Lambda's Invoke API.
const invocationPath = "/2015-03-31/functions/function/invocations"

// emulator is one aws-lambda-rie process serving one function's bootstrap.
type emulator struct {
	cmd       *exec.Cmd
	address   string // where the emulator takes invocations
	bootstrap string
	output    *syncbuf.Buffer // the emulator's log and the function's, interleaved
	exited    chan struct{}
}

// startEmulator runs the bootstrap under the emulator, on loopback only, with exactly
// env as its environment, and returns once the emulator accepts connections.
func startEmulator(t *testing.T, rie, bootstrap string, env []string) *emulator {
	t.Helper()
	e := &emulator{
		address:   testtool.FreeLoopbackAddress(t),
		bootstrap: bootstrap,
		output:    &syncbuf.Buffer{},
		exited:    make(chan struct{}),
	}
	// Both listeners are pinned to loopback: the emulator's default is 0.0.0.0:8080,
	// and the Runtime API's fixed 127.0.0.1:9001 would collide with any other emulator.
	e.cmd = exec.Command(rie,
		"--runtime-interface-emulator-address", e.address,
		"--runtime-api-address", testtool.FreeLoopbackAddress(t),
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
	if err := testtool.WaitListening(e.address, 10*time.Second, e.exited); err != nil {
		t.Fatalf("the emulator: %v (%v)", err, e.cmd.ProcessState)
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
