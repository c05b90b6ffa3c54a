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

// doorFunction is the front door's function, which is not one of the saga's.
const doorFunction = "intake"

// functionNames are the functions whose bootstraps are built: the saga's, the door and
// the watcher.
func functionNames() []string {
	names := []string{doorFunction, watcherFunction}
	for _, fn := range statemachine.Functions {
		names = append(names, fn.Name)
	}
	return names
}

// buildBootstraps builds every function as it is deployed, flags and all, but for this
// host, so the emulator can run it. It returns <dir>/<function>/bootstrap by function.
// One go build for all of them lets the toolchain build them in parallel.
func buildBootstraps(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	built := filepath.Join(dir, "go-build-output")
	args := []string{"build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", built + string(filepath.Separator)}
	for _, name := range functionNames() {
		args = append(args, lambdasPackage+name)
	}
	build := exec.Command("go", args...)
	// Explicit, so a GOOS/GOARCH left in the shell for a deployment build cannot
	// produce binaries this host cannot run.
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the bootstraps: %v\n%s", err, out)
	}

	bootstraps := map[string]string{}
	for _, name := range functionNames() {
		// Lambda runs a file called bootstrap in its own directory; so do we.
		path := filepath.Join(dir, name, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(built, name), path); err != nil {
			t.Fatalf("bootstrap of %s: %v", name, err)
		}
		bootstraps[name] = path
	}
	return bootstraps
}
