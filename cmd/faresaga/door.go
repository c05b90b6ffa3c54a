package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"syscall"

	"github.com/faresaga/faresaga/internal/fareclient"
)

const endpointUsage = "the front door's base `URL`: faresaga local's by default; on AWS the stack output FareApiUrl (requests are then signed with your AWS credentials)"

// startCommand submits a fare to the door: POST /fares.
func startCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("start", flag.ContinueOnError)
	flags.SetOutput(stderr)
	endpoint := flags.String("endpoint", fareclient.DefaultEndpoint, endpointUsage)
	inputFile := flags.String("input", "", "the fare to submit, a JSON `FILE`")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "faresaga start: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	if *inputFile == "" {
		fmt.Fprintln(stderr, "faresaga start: --input FILE is required: the fare to submit")
		return 2
	}
	fare, err := os.ReadFile(*inputFile)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga start: %v\n", err)
		return 1
	}
	return askTheDoor(ctx, "start", *endpoint, stdout, stderr, func(c *fareclient.Client) (fareclient.Answer, error) {
		return c.Start(ctx, fare)
	}, http.StatusOK, http.StatusAccepted)
}

// statusCommand asks the door where a fare stands: GET /fares/{fareId}.
func statusCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("status", flag.ContinueOnError)
	flags.SetOutput(stderr)
	endpoint := flags.String("endpoint", fareclient.DefaultEndpoint, endpointUsage)
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fareID := flags.Arg(0)
	// Flags may follow the fareId too.
	if flags.NArg() > 0 {
		if err := flags.Parse(flags.Args()[1:]); err != nil {
			return 2
		}
	}
	if fareID == "" || flags.NArg() != 0 {
		fmt.Fprintln(stderr, "faresaga status: give one FAREID: faresaga status [--endpoint URL] FAREID")
		return 2
	}
	return askTheDoor(ctx, "status", *endpoint, stdout, stderr, func(c *fareclient.Client) (fareclient.Answer, error) {
		return c.Status(ctx, fareID)
	}, http.StatusOK)
}

// askTheDoor prints the door's JSON answer: on stdout, exit 0, for an expected status;
// on stderr, exit 1, for any other.
func askTheDoor(ctx context.Context, command, endpoint string, stdout, stderr io.Writer,
	ask func(*fareclient.Client) (fareclient.Answer, error), expected ...int) int {
	client, err := fareclient.New(ctx, endpoint, fareclient.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "faresaga %s: %v\n", command, err)
		return 1
	}
	answer, err := ask(client)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga %s: %v\n", command, err)
		if errors.Is(err, syscall.ECONNREFUSED) && endpoint == fareclient.DefaultEndpoint {
			fmt.Fprintln(stderr, "  nothing listens there: start the local door with make local, or give --endpoint")
		}
		return 1
	}
	for _, status := range expected {
		if answer.Status == status {
			_, _ = stdout.Write(answer.Body)
			return 0
		}
	}
	fmt.Fprintf(stderr, "faresaga %s: the door answered %d %s: %s", command, answer.Status, http.StatusText(answer.Status), answer.Body)
	return 1
}
