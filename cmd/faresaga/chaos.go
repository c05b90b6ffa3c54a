package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/faresaga/faresaga/internal/chaos"
)

func chaosCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("chaos", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var cfg chaos.Config
	flags.IntVar(&cfg.Sagas, "sagas", 1000, "how many sagas to run")
	flags.Uint64Var(&cfg.Seed, "seed", 1, "seed of every random choice: the same seed, the same faults")
	flags.IntVar(&cfg.ShardSize, "shard", 250, "sagas per embedded stack")
	flags.IntVar(&cfg.Concurrency, "concurrency", 32, "sagas of a shard running at once")
	asJSON := flags.Bool("json", false, "print the report as JSON")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 || cfg.Sagas <= 0 {
		fmt.Fprintln(stderr, "faresaga chaos: --sagas must be positive and no arguments are taken")
		return 2
	}
	cfg.Progress = stderr
	report, err := chaos.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga chaos: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintf(stderr, "faresaga chaos: %v\n", err)
			return 1
		}
	} else {
		printReport(stdout, report)
	}
	if len(report.Violations) > 0 {
		return 1
	}
	return 0
}

func printReport(w io.Writer, r chaos.Report) {
	fmt.Fprintf(w, "%d sagas, seed %d, in %s (peak heap %.0f MiB)\n\nfaults injected\n", r.Sagas, r.Seed, r.Elapsed.Round(1e6), float64(r.PeakHeap)/(1<<20))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, k := range chaos.Kinds {
		fmt.Fprintf(tw, "%d\t  %s\n", r.Faults[k], k)
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\noutcomes")
	for _, outcome := range []string{chaos.OutcomeCompleted, chaos.OutcomeCancelled, chaos.OutcomeNeedsAttention} {
		fmt.Fprintf(w, "%8d  %s\n", r.Outcomes[outcome], outcome)
	}
	for outcome, n := range r.Outcomes {
		switch outcome {
		case chaos.OutcomeCompleted, chaos.OutcomeCancelled, chaos.OutcomeNeedsAttention:
		default:
			fmt.Fprintf(w, "%8d  %s\n", n, outcome)
		}
	}
	if len(r.NeedsAttention) > 0 {
		fmt.Fprintln(w, "\nleft for an operator (alerted), by compensation and error")
		for cause, n := range r.NeedsAttention {
			fmt.Fprintf(w, "%8d  %s\n", n, cause)
		}
	}
	fmt.Fprintf(w, "\n%d resumes of stuck fares by the operator\n", r.Resumes)
	fmt.Fprintf(w, "\n%d violations\n", len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  "+v)
	}
}
