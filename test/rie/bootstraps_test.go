package rie

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/faresaga/faresaga/statemachine"
)

const lambdasPackage = "github.com/faresaga/faresaga/lambdas/"

// buildBootstraps builds every function as it is deployed, flags and all, but for this
// host, so the emulator can run it. It returns <dir>/<function>/bootstrap by function.
// One go build for all of them lets the toolchain build them in parallel.
func buildBootstraps(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	built := filepath.Join(dir, "go-build-output")
	args := []string{"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", built + string(filepath.Separator)}
	for _, fn := range statemachine.Functions {
		args = append(args, lambdasPackage+fn.Name)
	}
	build := exec.Command("go", args...)
	// Explicit, so a GOOS/GOARCH left in the shell for a deployment build cannot
	// produce binaries this host cannot run.
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the bootstraps: %v\n%s", err, out)
	}

	bootstraps := map[string]string{}
	for _, fn := range statemachine.Functions {
		// Lambda runs a file called bootstrap in its own directory; so do we.
		path := filepath.Join(dir, fn.Name, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(built, fn.Name), path); err != nil {
			t.Fatalf("bootstrap of %s: %v", fn.Name, err)
		}
		bootstraps[fn.Name] = path
	}
	return bootstraps
}
