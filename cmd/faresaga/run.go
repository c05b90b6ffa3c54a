package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/faresaga/faresaga/internal/embedded"
	"github.com/faresaga/faresaga/internal/report"
	"github.com/faresaga/faresaga/internal/saga"
	"github.com/faresaga/faresaga/sfnlocal/clock"
	"github.com/faresaga/faresaga/sfnlocal/engine"
	"github.com/faresaga/faresaga/sfnlocal/history"
)

// executionJSON is what --json prints for each execution.
type executionJSON struct {
	Name         string          `json:"name"`
	ExecutionArn string          `json:"executionArn"`
	Status       engine.Status   `json:"status"`
	Output       json.RawMessage `json:"output,omitempty"`
	Error        string          `json:"error,omitempty"`
	Cause        string          `json:"cause,omitempty"`
	History      struct {
		Events []history.Event `json:"events"`
	} `json:"history"`
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("run", flag.ContinueOnError)
	flags.SetOutput(stderr)
	inputFile := flags.String("input", "", "run one execution with the fare input in `FILE` instead of the built-in scenarios")
	asJSON := flags.Bool("json", false, "print each execution's status, output or error, and history events as JSON")
	seed := flags.Uint64("seed", 1, "seed for retry jitter and generated ids")
	realTime := flags.Bool("real-time", false, "wait out retries and Waits on the wall clock instead of virtual time")
	handlerLogs := flags.Bool("handler-logs", false, "show the Lambda handlers' JSON logs on stderr")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "faresaga run: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	scenarios := embedded.Scenarios()
	if *inputFile != "" {
		input, err := os.ReadFile(*inputFile)
		if err != nil {
			fmt.Fprintf(stderr, "faresaga run: %v\n", err)
			return 1
		}
		// Card data must not reach even the local history, which this command prints, nor
		// may an input that cannot be checked for it; other bad input runs, so the timeline
		// shows how the saga refuses it.
		if err := saga.RefuseCardData(input); err != nil {
			fmt.Fprintf(stderr, "faresaga run: %s is refused before it reaches the execution history (card data, or an input that cannot be checked for it); nothing was started: %s\n",
				*inputFile, saga.RedactCardNumbers(err.Error()))
			return 1
		}
		scenarios = []embedded.Scenario{{Name: *inputFile, Description: "input from " + *inputFile, Input: string(input)}}
	}

	opts := embedded.Options{Seed: *seed, FaultInjection: true, Clock: clock.NewVirtual(time.Now().UTC().Truncate(time.Second))}
	if *realTime {
		opts.Clock = clock.Real{}
	}
	if *handlerLogs {
		opts.HandlerLogs = stderr
	}
	stack, err := embedded.Start(opts)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga run: start the embedded stack: %v\n", err)
		return 1
	}
	defer stack.Close()

	var executions []executionJSON
	for i, sc := range scenarios {
		if refusal := saga.RefuseCardData([]byte(sc.Input)); refusal != nil {
			// A built-in scenario shows what the front door does with card data: it never
			// starts the execution, so no history holds the number.
			problems := saga.RedactCardNumbers(refusal.Error())
			if *asJSON {
				executions = append(executions, executionJSON{Name: sc.Name, Status: "REFUSED", Error: "InvalidFareInput", Cause: problems})
				fmt.Fprintf(stderr, "[%d/%d] %s: REFUSED before StartExecution\n", i+1, len(scenarios), sc.Name)
				continue
			}
			fmt.Fprintf(stdout, "\n━━ %s: %s\n  REFUSED before StartExecution, as the front door refuses it: %s\n", sc.Name, sc.Description, problems)
			continue
		}
		x, err := stack.RunFare(ctx, sc.Input)
		if err == nil && sc.Resume {
			// As an operator would, once the alert came and the outage is over.
			if _, err = stack.Resume(ctx, x.Name); err == nil {
				err = stack.Settled(ctx, x)
			}
		}
		if err != nil {
			var invalid *engine.InvalidInputError
			if errors.As(err, &invalid) {
				fmt.Fprintf(stderr, "faresaga run: %s: the execution input is refused: %v\n", sc.Name, err)
				return 1
			}
			fmt.Fprintf(stderr, "faresaga run: %s: %v\n", sc.Name, err)
			return 1
		}
		if *asJSON {
			executions = append(executions, toJSON(x))
			fmt.Fprintf(stderr, "[%d/%d] %s: %s\n", i+1, len(scenarios), x.Name, x.Result().Status)
			continue
		}
		fmt.Fprintf(stdout, "\n━━ %s: %s\n", x.Name, sc.Description)
		report.Timeline(stdout, x)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(executions); err != nil {
			fmt.Fprintf(stderr, "faresaga run: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintln(stdout, "\n━━ what the tables hold now")
	if err := report.Tables(ctx, stdout, stack.DynamoDB); err != nil {
		fmt.Fprintf(stderr, "faresaga run: %v\n", err)
		return 1
	}
	return 0
}

func toJSON(x *engine.Execution) executionJSON {
	r := x.Result()
	out := executionJSON{Name: x.Name, ExecutionArn: x.ARN, Status: r.Status, Error: r.Error, Cause: r.Cause}
	if r.Status == engine.Succeeded {
		out.Output = json.RawMessage(r.Output)
	}
	out.History.Events = x.History.Events()
	return out
}
