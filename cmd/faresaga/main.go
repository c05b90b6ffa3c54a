// Command faresaga runs the fare-collection saga on the embedded runtime:
//
//	faresaga run [--input FILE] [--json] [--seed N] [--real-time]
//	faresaga local [--listen ADDR] [--dynamodb-listen ADDR] [--api-listen ADDR] [--virtual-time]
//	faresaga start [--endpoint URL] --input FILE
//	faresaga status [--endpoint URL] FAREID
//	faresaga chaos --sagas N --seed S [--json]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage: faresaga <command> [flags]

commands:
  run     run the saga on the embedded runtime: the happy path and every failure
          switch (or one fare with --input), then show the tables
  local   serve the Step Functions API (and the tables' DynamoDB API) on loopback,
          with the fare-collection state machine created, and the front door in
          front of them; SFN_MOCK_CONFIG=<file> enables mocked responses for
          <stateMachineArn>#<TestCase> executions
  start   submit a fare to the front door (--input FILE [--endpoint URL]); prints
          the door's answer; exits 1 unless it started the fare or had it already
  status  ask the front door where a fare stands (FAREID [--endpoint URL])
  chaos   run many sagas with faults injected at every layer and check that every
          fare ended consistent (--sagas N --seed S [--json]); exits 1 on a violation
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return runCommand(ctx, args[1:], stdout, stderr)
	case "local":
		return localCommand(ctx, args[1:], stdout, stderr)
	case "start":
		return startCommand(ctx, args[1:], stdout, stderr)
	case "status":
		return statusCommand(ctx, args[1:], stdout, stderr)
	case "chaos":
		return chaosCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "faresaga: unknown command %q\n\n%s", args[0], usage)
	return 2
}
