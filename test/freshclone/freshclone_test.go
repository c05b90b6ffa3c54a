package freshclone

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requiredVar is set by make test, which installs npm's packages itself: there a missing
// tool is a failure, not a reason to skip.
const requiredVar = "FARESAGA_CDK_CLI_REQUIRED"

// noCredentials is how the CLI says it found no AWS credentials: where the deploy path
// must stop without them.
const noCredentials = "Unable to resolve AWS account to use"

func TestTheDeployPathWorksFromAFreshClone(t *testing.T) {
	for _, tool := range []string{"git", "make", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv(requiredVar) == "1" {
				t.Fatalf("%s is not on PATH", tool)
			}
			t.Skipf("%s is not on PATH: the deploy path needs it", tool)
		}
	}
	clone := freshClone(t)
	env := withoutCredentials(t)
	run := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Dir, cmd.Env = clone, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		t.Logf("%s (%v):\n%s", strings.Join(args, " "), err, tail(out.String(), 40))
		return out.String(), err
	}

	t.Run("the pinned CLI synthesizes the stack", func(t *testing.T) {
		_, err := run(t, "make", "--no-print-directory", "node_modules")
		require.NoError(t, err)
		version, err := run(t, "./node_modules/.bin/cdk", "--version")
		require.NoError(t, err)
		assert.Contains(t, version, pinnedCLI(t), "the CLI package.json pins")

		_, err = run(t, "./node_modules/.bin/cdk", "synth", "--quiet")
		require.NoError(t, err, "cdk synth on a fresh clone: cdk.json's app builds what the app needs")
		template := readTemplate(t, filepath.Join(clone, "cdk.out", "FareCollection-dev.template.json"))
		functions := 0
		for _, r := range template.Resources {
			if r.Type == "AWS::Lambda::Function" {
				functions++
				assert.Equal(t, []string{"arm64"}, r.Properties.Architectures)
			}
		}
		lambdas, err := os.ReadDir(filepath.Join(clone, "lambdas"))
		require.NoError(t, err)
		assert.Equal(t, len(lambdas), functions, "one function per lambdas/<fn>")
	})

	for _, target := range []string{"bootstrap", "diff", "deploy"} {
		t.Run("make "+target+" stops at the credentials", func(t *testing.T) {
			out, err := run(t, "make", "--no-print-directory", target)
			require.Error(t, err, "no credentials: the CLI must refuse")
			assert.Contains(t, out, noCredentials, "it got as far as asking for credentials")
			for _, before := range []string{"no Lambda asset", "Subprocess exited with error", "command not found", "No rule to make target"} {
				assert.NotContains(t, out, before, "it failed before the credentials")
			}
		})
	}
}

// freshClone copies what a clone of the working tree would hold (tracked files and new
// ones not ignored) into a temporary directory: no build/, bin/, cdk.out or node_modules.
func freshClone(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	files, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	require.NoError(t, err, "list the repository's files")
	clone := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree, not yet in the index
		}
		require.NoError(t, err)
		if !info.Mode().IsRegular() {
			continue
		}
		body, err := os.ReadFile(src)
		require.NoError(t, err)
		dst := filepath.Join(clone, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, body, info.Mode().Perm()))
	}
	for _, built := range []string{"build", "bin", "cdk.out", "node_modules"} {
		require.NoDirExists(t, filepath.Join(clone, built))
	}
	return clone
}

// withoutCredentials is this process's environment with every way to AWS credentials
// taken away: no AWS_ variables, a home without ~/.aws, no instance metadata (a CI
// runner on EC2 would otherwise find its role). The caches stay where they are, so
// Go, npm, the Node the Makefile installs and jsii's unpacked aws-cdk-lib are not
// fetched or unpacked again.
func withoutCredentials(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "AWS_"), name == "HOME", name == "MAKEFLAGS", name == "MFLAGS", name == "MAKELEVEL",
			name == "CDK_DEFAULT_ACCOUNT", name == "CDK_DEFAULT_REGION":
		default:
			env = append(env, kv)
		}
	}
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	home, err := os.UserHomeDir()
	require.NoError(t, err)
	goEnv := map[string]string{}
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &goEnv))
	for name, value := range goEnv {
		env = append(env, name+"="+value)
	}
	emptyHome := t.TempDir()
	return append(env,
		"HOME="+emptyHome, "XDG_CACHE_HOME="+cache, "npm_config_cache="+filepath.Join(home, ".npm"),
		"JSII_RUNTIME_PACKAGE_CACHE_ROOT="+filepath.Join(cache, "aws", "jsii", "package-cache"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(emptyHome, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(emptyHome, "no-credentials"))
}

func pinnedCLI(t *testing.T) string {
	t.Helper()
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	body, err := os.ReadFile(filepath.Join("..", "..", "package.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &pkg))
	version := pkg.DevDependencies["aws-cdk"]
	require.NotEmpty(t, version, "package.json pins aws-cdk")
	return version
}

type template struct {
	Resources map[string]struct {
		Type       string
		Properties struct{ Architectures []string }
	}
}

func readTemplate(t *testing.T, path string) template {
	t.Helper()
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	var tpl template
	require.NoError(t, json.Unmarshal(body, &tpl))
	return tpl
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
