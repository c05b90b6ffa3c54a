package integration

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/faresaga/faresaga/statemachine"
)

// openLocalStackTarget deploys the CDK stack to LocalStack with cdklocal, then reads
// its outputs as on AWS. FARESAGA_SKIP_DEPLOY=1 reuses a stack already deployed there.
func openLocalStackTarget(ctx context.Context) (*Target, error) {
	endpoint := localStackEndpoint()
	if err := probeTCP(endpoint); err != nil {
		return nil, unavailable("LocalStack is not reachable at %s (%v): start it (docker run --rm -p 4566:4566 -v /var/run/docker.sock:/var/run/docker.sock localstack/localstack), then make test-localstack", endpoint, err)
	}
	region := localStackRegion()
	if os.Getenv("FARESAGA_SKIP_DEPLOY") != "1" {
		if err := deployToLocalStack(ctx, endpoint, region); err != nil {
			return nil, err
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		return nil, err
	}
	outputs, err := readStackOutputs(ctx, cloudformation.NewFromConfig(cfg), stackName())
	if err != nil {
		return nil, fmt.Errorf("read the outputs of %s on LocalStack: %w", stackName(), err)
	}
	return deployedTarget(ctx, "localstack", cfg, outputs)
}

func localStackEndpoint() string {
	if endpoint := os.Getenv("AWS_ENDPOINT_URL"); endpoint != "" {
		return endpoint
	}
	return "http://localhost:4566"
}

func localStackRegion() string {
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region := os.Getenv(name); region != "" {
			return region
		}
	}
	return "us-east-1"
}

// probeTCP dials the endpoint's port once, briefly: enough to tell a stopped
// LocalStack from a running one without waiting on SDK retries.
func probeTCP(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[u.Scheme]
		if port == "" {
			port = "80"
		}
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(u.Hostname(), port), 2*time.Second)
	if err != nil {
		return err
	}
	return conn.Close()
}

// deployToLocalStack runs the pinned cdklocal (npm aws-cdk-local) from the repository
// root: bootstrap, then deploy. Its output goes to stderr, since a first deployment
// takes minutes and go test -v shows nothing until a test ends.
func deployToLocalStack(ctx context.Context, endpoint, region string) error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	cdklocal := filepath.Join(root, "node_modules", ".bin", "cdklocal")
	if _, err := os.Stat(cdklocal); err != nil {
		return fmt.Errorf("%s is missing: run npm ci in %s (make test-localstack does)", cdklocal, root)
	}
	for _, fn := range statemachine.Functions {
		if _, err := os.Stat(filepath.Join(root, "build", fn.Name, "bootstrap")); err != nil {
			return fmt.Errorf("build/%s/bootstrap is missing: run make build (make test-localstack does)", fn.Name)
		}
	}
	deploy, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	env := append(os.Environ(),
		"AWS_ENDPOINT_URL="+endpoint, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region,
		"CDK_DISABLE_VERSION_CHECK=1", "CDK_DISABLE_CLI_TELEMETRY=1")
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	}
	stage := []string{"--context", "stage=dev"}
	for _, args := range [][]string{
		append([]string{"bootstrap"}, stage...),
		append([]string{"deploy", stackName(), "--require-approval", "never"}, stage...),
	} {
		fmt.Fprintf(os.Stderr, "integration: cdklocal %v (LocalStack at %s)\n", args, endpoint)
		cmd := exec.CommandContext(deploy, cdklocal, args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = root, env, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("cdklocal %v: %w", args, err)
		}
	}
	return nil
}
