package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/faresaga/faresaga/internal/localapi"
	"github.com/faresaga/faresaga/sfnlocal/api"
)

func localCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("local", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var cfg localapi.Config
	flags.StringVar(&cfg.Listen, "listen", "127.0.0.1:8083", "`address` of the Step Functions API")
	flags.StringVar(&cfg.DynamoDBListen, "dynamodb-listen", "127.0.0.1:8084", "`address` of the DynamoDB API serving the saga's tables")
	flags.StringVar(&cfg.APIListen, "api-listen", "127.0.0.1:8085", "`address` of the front door (POST /fares, GET /fares/{fareId}); empty serves none")
	flags.IntVar(&cfg.MaxFinished, "max-finished", api.DefaultMaxFinishedExecutions, "finished executions kept before the oldest are forgotten")
	flags.BoolVar(&cfg.VirtualTime, "virtual-time", false, "run retries and Waits on virtual time (instant) instead of the wall clock")
	flags.Uint64Var(&cfg.Seed, "seed", 0, "seed of retry jitter and generated ids (0: random)")
	flags.StringVar(&cfg.Gateway, "gateway", "simulated", "payment `gateway`: simulated, or stripe (with --stripe-url)")
	flags.StringVar(&cfg.StripeURL, "stripe-url", "", "`URL` of the Stripe-compatible endpoint the stripe gateway talks to, such as stripe-mock's")
	keyFile := flags.String("stripe-key-file", "", "`file` holding the Stripe secret key (default: "+localapi.DefaultStripeKey+", which stripe-mock accepts)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "faresaga local: unexpected argument %q\n", flags.Arg(0))
		return 2
	}
	cfg.MockConfigFile = os.Getenv("SFN_MOCK_CONFIG")
	cfg.DoorLogs = stderr
	if *keyFile != "" {
		key, err := os.ReadFile(*keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "faresaga local: the Stripe key: %v\n", err)
			return 2
		}
		cfg.StripeKey = strings.TrimSpace(string(key))
	}
	srv, err := localapi.Start(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "faresaga local: %v\n", err)
		return 1
	}
	srv.Describe(stdout)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping: running executions are aborted")
	srv.Close()
	return 0
}
