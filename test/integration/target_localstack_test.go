package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/faresaga/faresaga/internal/fareclient"
)

// What the LocalStack target relies on, read from the sources of LocalStack 4.14.0 and
// aws-cdk-local 3.0.4 (cdklocal); there is no Docker engine here to run them.
const (
	// localStackRequiredVar turns an unreachable LocalStack into a failure: make
	// test-localstack sets it, so that a run that tested nothing cannot pass.
	localStackRequiredVar = "FARESAGA_LOCALSTACK_REQUIRED"
	// lambdaArchVar names the functions' architecture for LocalStack (arm64 or
	// x86_64); by default, the one of the Go toolchain's host.
	lambdaArchVar = "FARESAGA_LAMBDA_ARCH"
	// The address make localstack publishes. An IP literal: with a host name, the SDKs
	// address S3 buckets as <bucket>.<host>, which does not resolve for localhost.
	defaultLocalStackEndpoint = "http://127.0.0.1:4566"
	// LocalStack's account for the access key "test".
	localStackAccount = "000000000000"
	localStackKey     = "test"
)

const startLocalStack = "start it with `make localstack` (LocalStack 4.14.0, the last image that needs no account; " +
	"a current image needs LOCALSTACK_AUTH_TOKEN: make localstack LOCALSTACK_IMAGE=localstack/localstack:<tag>, see the README), " +
	"or point AWS_ENDPOINT_URL at yours, then make test-localstack"

// Sized for LocalStack. Its Lambda starts at most 16 containers at once (its main
// branch; 4.14.0 has no cap but pays seconds per start), and a container start counts
// against the Task's TimeoutSeconds (15 s): the concurrency scenario runs at most this
// many fares per subtest (four subtests, so 16 in flight), and every function has this
// many warm containers before the first scenario.
const (
	localStackConcurrentFares = 4
	localStackWarmContainers  = 4
)

// openLocalStackTarget deploys the CDK stack to LocalStack with cdklocal, then reads
// its outputs as on AWS. FARESAGA_SKIP_DEPLOY=1 reuses a stack already deployed there.
func openLocalStackTarget(ctx context.Context) (*Target, error) {
	endpoint := localStackEndpoint()
	if err := probeTCP(endpoint); err != nil {
		message := fmt.Sprintf("LocalStack is not reachable at %s (%v): %s", endpoint, err, startLocalStack)
		if os.Getenv(localStackRequiredVar) == "1" {
			return nil, errors.New(message)
		}
		return nil, unavailable("%s", message)
	}
	root, err := repositoryRoot()
	if err != nil {
		return nil, err
	}
	deployment := localStackDeployment{
		Root: root, Endpoint: endpoint, Region: localStackRegion(),
		Architecture: localStackArchitecture(), Output: filepath.Join(root, "cdk.out.localstack"),
	}
	if os.Getenv("FARESAGA_SKIP_DEPLOY") != "1" {
		if err := deployment.deploy(ctx); err != nil {
			return nil, err
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(deployment.Region),
		config.WithBaseEndpoint(endpoint),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(localStackKey, localStackKey, "")),
	)
	if err != nil {
		return nil, err
	}
	outputs, err := readStackOutputs(ctx, cloudformation.NewFromConfig(cfg), stackName())
	if err != nil {
		return nil, fmt.Errorf("read the outputs of %s on LocalStack: %w", stackName(), err)
	}
	if err := warmUp(ctx, cfg, stackName(), localStackWarmContainers); err != nil {
		return nil, err
	}
	door, err := localStackDoor(cfg, outputs["FareApiUrl"])
	if err != nil {
		return nil, err
	}
	outputs["FareApiUrl"] = door.url
	tg, err := deployedTarget(ctx, "localstack", cfg, outputs, func(o *fareclient.Options) { o.HTTP = serialSubmissionsPerFare() })
	if err != nil {
		door.close()
		return nil, err
	}
	closeQueues := tg.close
	tg.close = func() {
		closeQueues()
		door.close()
	}
	tg.ConcurrentFares = localStackConcurrentFares
	return tg, nil
}

func localStackEndpoint() string {
	if endpoint := os.Getenv("AWS_ENDPOINT_URL"); endpoint != "" {
		return endpoint
	}
	return defaultLocalStackEndpoint
}

// localStackRegion is the region the suite deploys to and reads from; cdklocal is told
// the same one (it would use us-east-1 otherwise).
func localStackRegion() string {
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region := os.Getenv(name); region != "" {
			return region
		}
	}
	return "us-east-1"
}

// localStackArchitecture is the architecture LocalStack's Lambda containers run: the
// host's, unless FARESAGA_LAMBDA_ARCH says otherwise.
func localStackArchitecture() string {
	if arch := os.Getenv(lambdaArchVar); arch != "" {
		return arch
	}
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
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

func repositoryRoot() (string, error) {
	return filepath.Abs(filepath.Join("..", ".."))
}

// localStackDeployment is the stack deployed to LocalStack with the pinned cdklocal
// (npm aws-cdk-local), from the repository root.
type localStackDeployment struct {
	Root, Endpoint, Region string
	Architecture           string // of the functions: arm64 or x86_64
	Output                 string // the cloud assembly directory
}

// cdklocal is the pinned wrapper, or an error saying how to get it.
func (d localStackDeployment) cdklocal() (string, error) {
	path := filepath.Join(d.Root, "node_modules", ".bin", "cdklocal")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%s is missing: run npm ci in %s (make test-localstack does)", path, d.Root)
	}
	return path, nil
}

// commands are the cdklocal runs that deploy the stack: bootstrap, then deploy. The
// CDK app builds the bootstraps it needs (cdk.json's app is make cdk-app, which reads
// LAMBDA_ARCH), and the lambdaArchitecture context deploys them with that architecture.
func (d localStackDeployment) commands(ctx context.Context) ([]*exec.Cmd, error) {
	cdklocal, err := d.cdklocal()
	if err != nil {
		return nil, err
	}
	context := []string{"--context", "stage=dev", "--context", "lambdaArchitecture=" + d.Architecture, "--output", d.Output}
	var cmds []*exec.Cmd
	for _, args := range [][]string{
		append([]string{"bootstrap", "aws://" + localStackAccount + "/" + d.Region}, context...),
		append([]string{"deploy", stackName(), "--require-approval", "never"}, context...),
	} {
		cmd := exec.CommandContext(ctx, cdklocal, args...)
		cmd.Dir, cmd.Env = d.Root, d.environment()
		cmds = append(cmds, cmd)
	}
	return cmds, nil
}

// environment is what cdklocal must get, from what it does with it (its src/index.js):
// it refuses to start when AWS_ENDPOINT_URL is set without AWS_ENDPOINT_URL_S3; it
// deletes every AWS_ variable not in AWS_ENVAR_ALLOWLIST (the region and credentials
// included) and falls back to us-east-1; and it honours AWS_S3_FORCE_PATH_STYLE. The
// user's own AWS_ variables (a profile, real keys, another endpoint) are left out.
func (d localStackDeployment) environment() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "AWS_") && !strings.HasPrefix(name, "CDK_DEFAULT_") && name != "LAMBDA_ARCH" {
			env = append(env, kv)
		}
	}
	aws := map[string]string{
		"AWS_ENDPOINT_URL":        d.Endpoint,
		"AWS_ENDPOINT_URL_S3":     s3Endpoint(d.Endpoint),
		"AWS_S3_FORCE_PATH_STYLE": "1",
		"AWS_REGION":              d.Region,
		"AWS_DEFAULT_REGION":      d.Region,
		"AWS_ACCESS_KEY_ID":       localStackKey,
		"AWS_SECRET_ACCESS_KEY":   localStackKey,
	}
	var allow []string
	for name, value := range aws {
		env = append(env, name+"="+value)
		allow = append(allow, name)
	}
	return append(env,
		"AWS_ENVAR_ALLOWLIST="+strings.Join(allow, ","),
		"LAMBDA_ARCH="+d.Architecture,
		"CDK_DISABLE_VERSION_CHECK=1", "CDK_DISABLE_CLI_TELEMETRY=1")
}

// s3Endpoint is AWS_ENDPOINT_URL_S3 when the user set one, else the endpoint with
// localhost spelt as an IP: the SDKs then address buckets by path, which LocalStack
// serves on its one port.
func s3Endpoint(endpoint string) string {
	if s3 := os.Getenv("AWS_ENDPOINT_URL_S3"); s3 != "" {
		return s3
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() != "localhost" {
		return endpoint
	}
	u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	return u.String()
}

// deploy runs the commands. Their output goes to stderr, since a first deployment takes
// minutes and go test -v shows nothing until a test ends.
func (d localStackDeployment) deploy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	cmds, err := d.commands(ctx)
	if err != nil {
		return err
	}
	for _, cmd := range cmds {
		fmt.Fprintf(os.Stderr, "integration: %s (LocalStack at %s, %s, %s functions)\n", strings.Join(cmd.Args, " "), d.Endpoint, d.Region, d.Architecture)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
		}
	}
	return nil
}
