package rie

import (
	"net"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/faresaga/faresaga/internal/dynamotest"
	"github.com/faresaga/faresaga/internal/lambdaenv"
	"github.com/faresaga/faresaga/statemachine"
)

// TestDeployedArtefactsBoot runs each function's bootstrap under the Lambda Runtime
// Interface Emulator and checks real answers, successes and Step Functions error
// names alike. The functions run one after another, one emulator and one invocation
// at a time: the emulator crashes on concurrent invocations.
func TestDeployedArtefactsBoot(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skipf("the Lambda Runtime Interface Emulator and the bootstraps run on Linux only, as on Lambda; "+
			"this host is %s: run go test ./test/rie/ on Linux (CI does)", runtime.GOOS)
	}
	checkEveryFunctionHasInvocations(t)

	// Timed, because the first run compiles the emulator and every bootstrap.
	started := time.Now()
	rie := emulatorBinary(t)
	emulatorReady := time.Now()
	bootstraps := buildBootstraps(t)
	t.Logf("emulator ready in %s, %d bootstraps built in %s",
		emulatorReady.Sub(started).Round(time.Millisecond), len(bootstraps), time.Since(emulatorReady).Round(time.Millisecond))
	endpoint := dynamotest.Start(t).URL

	for _, fn := range statemachine.Functions {
		t.Run(fn.Name, func(t *testing.T) {
			e := startEmulator(t, rie, bootstraps[fn.Name], functionEnvironment(fn, endpoint, t.TempDir()))
			for _, inv := range invocations[fn.Name] {
				t.Run(inv.about, func(t *testing.T) { inv.check(t, e.invoke(t, inv.payload)) })
			}
			checkListensOnLoopbackOnly(t, e)
		})
	}
	t.Run(doorFunction, func(t *testing.T) { checkTheDoor(t, rie, bootstraps[doorFunction]) })
	t.Run(watcherFunction, func(t *testing.T) { checkTheWatcher(t, rie, bootstraps[watcherFunction], endpoint) })
}

// functionEnvironment is the environment the stack gives fn, with its tables on the
// local endpoint. It is built from nothing rather than from the test's environment, so
// a developer's AWS profile, region or endpoint cannot leak into the function.
func functionEnvironment(fn statemachine.Function, endpoint, home string) []string {
	env := []string{
		lambdaenv.FaultInjectionVar + "=enabled",
		lambdaenv.PaymentGatewayVar + "=simulated",
		"AWS_ENDPOINT_URL_DYNAMODB=" + endpoint,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=faresaga-rie-test",
		"AWS_SECRET_ACCESS_KEY=faresaga-rie-test",
		"AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + home, // no ~/.aws/config to pick a profile from
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(statemachine.LambdaTimeoutSeconds),
	}
	// Only its own tables, as deployed: a function that needs another one fails to start.
	for _, spec := range fn.Tables {
		env = append(env, spec.EnvVar+"="+spec.Name)
	}
	return env
}

// A function added to the saga must be smoke-tested too.
func checkEveryFunctionHasInvocations(t *testing.T) {
	t.Helper()
	var names []string
	for _, fn := range statemachine.Functions {
		names = append(names, fn.Name)
		if len(invocations[fn.Name]) == 0 {
			t.Errorf("%s has no invocations in the smoke test", fn.Name)
		}
	}
	for name := range invocations {
		if !slices.Contains(names, name) {
			t.Errorf("the smoke test invokes %s, which statemachine.Functions does not list", name)
		}
	}
}

// checkListensOnLoopbackOnly asks the kernel what the emulator and the function listen
// on: the emulator's own default would be every interface.
func checkListensOnLoopbackOnly(t *testing.T, e *emulator) {
	t.Helper()
	pids := append([]int{e.cmd.Process.Pid}, processesRunning(e.bootstrap)...)
	addresses := listeningAddresses(pids...)
	if !slices.Contains(addresses, e.address) {
		t.Errorf("cannot see the emulator's listener %s among %v: the loopback check proves nothing", e.address, addresses)
	}
	for _, address := range addresses {
		host, _, _ := net.SplitHostPort(address)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("listens on %s, beyond loopback", address)
		}
	}
}
