package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/faresaga/faresaga/sfnlocal/task"
)

// The side-by-side workload of ../shared/perf: the fare saga's shape in JSONPath, every
// Task answered by an in-process handler returning a small fixed object at once, the
// same handlers the peer engine (npm aws-local-stepfunctions) gets in peer-bench.cjs.

// perfDir finds ../shared/perf beside the checkout.
func perfDir() string {
	for _, candidate := range []string{"../../../shared/perf", "../../shared/perf", "../shared/perf"} {
		if _, err := os.Stat(filepath.Join(candidate, "saga-workload.asl.json")); err == nil {
			return candidate
		}
	}
	return ""
}

// workloadHandlers are peer-bench.cjs's handlers, as an integration of Lambda function
// ARNs: RegisterFare returns {fareId, status}, PreAuthorizePayment {authCode}, ChargeFare
// {chargeId} or fails with ChargeFailed, CreditCustomerAccount {entry}, the rest {}.
func workloadHandlers(compensate bool) task.Integration {
	field := func(args any, name string) string {
		v, _ := args.(*jsonvalue.Object).Get(name)
		s, _ := v.(string)
		return s
	}
	return task.IntegrationFunc(func(_ context.Context, req task.Request) (any, error) {
		fn := req.Resource[strings.LastIndexByte(req.Resource, ':')+1:]
		switch fn {
		case "registerfare":
			return jsonvalue.ObjectOf("fareId", field(req.Arguments, "fareId"), "status", "REGISTERED"), nil
		case "preauthorizepayment":
			return jsonvalue.ObjectOf("authCode", "auth_"+field(req.Arguments, "fareId")), nil
		case "chargefare":
			if compensate {
				return nil, &failure.Error{Name: "ChargeFailed", Cause: "declined"}
			}
			return jsonvalue.ObjectOf("chargeId", "ch_"+field(req.Arguments, "fareId")), nil
		case "creditcustomeraccount":
			return jsonvalue.ObjectOf("entry", field(req.Arguments, "fareId")), nil
		}
		return jsonvalue.NewObject(0), nil
	})
}

type workload struct {
	engine  *Engine
	machine *Machine
}

func newWorkload(tb testing.TB, compensate bool) *workload {
	dir := perfDir()
	if dir == "" {
		tb.Skip("../shared/perf is not beside this checkout: no side-by-side workload")
	}
	definition, err := os.ReadFile(filepath.Join(dir, "saga-workload.asl.json"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := Compile(definition)
	if err != nil {
		tb.Fatal(err)
	}
	registry := task.NewRegistry()
	registry.Handle(task.KindLambdaFunction, workloadHandlers(compensate))
	return &workload{engine: New(Options{Clock: clock.Real{}, Tasks: registry, Seed: 1}), machine: m}
}

// run executes n sagas one after the other, as peer-bench.cjs does, and checks each
// ended as the workload says and kept its whole history.
func (w *workload) run(tb testing.TB, n int, compensate bool) {
	want, events := Succeeded, 31
	if compensate {
		want, events = Failed, 33
	}
	ctx := context.Background()
	for k := range n {
		x, err := w.engine.Run(ctx, w.machine, StartInput{Name: "bench", ARN: "arn:aws:states:us-east-1:000000000000:execution:perf:bench",
			Input: fmt.Sprintf(`{"fareId":"f%d","customerId":"c1","amount":2000,"currency":"USD","paymentToken":"tok_visa"}`, k)})
		if err != nil {
			tb.Fatal(err)
		}
		// The status, as the peer's caller gets its result: not the output's JSON text.
		if status := x.Status(); status != want || x.History.Len() != events {
			r := x.Result()
			tb.Fatalf("execution %d: %s with %d events (%s: %s), want %s with %d", k, status, x.History.Len(), r.Error, r.Cause, want, events)
		}
	}
}

func benchmarkWorkload(b *testing.B, compensate bool) {
	w := newWorkload(b, compensate)
	w.run(b, 200, compensate) // the peer's warm-up
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		w.run(b, 1, compensate)
	}
	// CPU time says what an execution costs when other work shares the machine, which
	// wall time on a busy machine does not.
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/execution")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/execution")
}

// processCPU is the CPU time this process has used, user and system, GC included.
func processCPU() time.Duration {
	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) != nil {
		return 0
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

func BenchmarkWorkloadHappy(b *testing.B)      { benchmarkWorkload(b, false) }
func BenchmarkWorkloadCompensate(b *testing.B) { benchmarkWorkload(b, true) }

// BenchmarkSideBySideWithPeer runs the workload on this engine and on the peer in the
// same run, alternating, 7 rounds (3000 executions on the peer, 30,000 on ours), and reports both medians
// and their ratio. It needs node and the peer installed as ../shared/perf's README says
// (PEER_NODE_MODULES=<dir>/node_modules); otherwise it says why and skips.
//
//	PEER_NODE_MODULES=/tmp/peer/node_modules go test ./sfnlocal/engine -run XXX -bench SideBySide -benchtime 1x
func BenchmarkSideBySideWithPeer(b *testing.B) {
	modules := os.Getenv("PEER_NODE_MODULES")
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		b.Skip("set PEER_NODE_MODULES to the peer's node_modules (see ../shared/perf/README.md) and put node on PATH")
	}
	dir := perfDir()
	for _, mode := range []string{"happy", "compensate"} {
		b.Run(mode, func(b *testing.B) {
			compensate := mode == "compensate"
			w := newWorkload(b, compensate)
			w.run(b, 200, compensate)
			// The peer runs 3000 executions a round, about half a second; ours run ten
			// times as many so that both rounds last long enough for the machine to be
			// at speed: a 30 ms round that follows the peer's process measures a CPU
			// that has just been idle (such a round runs a quarter slower here).
			const rounds, n, oursN = 7, 3000, 30000
			var ours, oursCPU, peer []float64
			for range rounds {
				w.run(b, 200, compensate) // the warm-up the peer's process does
				start, cpu := time.Now(), processCPU()
				w.run(b, oursN, compensate)
				ours = append(ours, float64(time.Since(start).Nanoseconds())/1000/oursN)
				oursCPU = append(oursCPU, float64((processCPU()-cpu).Nanoseconds())/1000/oursN)

				cmd := exec.Command(node, filepath.Join(dir, "peer-bench.cjs"), fmt.Sprint(n), mode)
				cmd.Env = append(os.Environ(), "PEER_NODE_MODULES="+modules)
				var out bytes.Buffer
				cmd.Stdout = &out
				if err := cmd.Run(); err != nil {
					b.Fatalf("peer-bench: %v", err)
				}
				var result struct{ PerExecutionMicros float64 }
				if err := json.Unmarshal(out.Bytes(), &result); err != nil {
					b.Fatalf("peer-bench printed %q: %v", out.String(), err)
				}
				peer = append(peer, result.PerExecutionMicros)
			}
			load, _ := os.ReadFile("/proc/loadavg")
			oursMedian, peerMedian := median(ours), median(peer)
			b.ReportMetric(oursMedian, "ours-µs/exec")
			b.ReportMetric(median(oursCPU), "ours-cpu-µs/exec")
			b.ReportMetric(peerMedian, "peer-µs/exec")
			b.ReportMetric(peerMedian/oursMedian, "ratio")
			b.Logf("%s: ours %.1f µs (CPU %.1f µs), peer %.1f µs, ratio %.1f; ours %.1f, peer %.1f; load average %s",
				mode, oursMedian, median(oursCPU), peerMedian, peerMedian/oursMedian, ours, peer, strings.TrimSpace(string(load)))
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
