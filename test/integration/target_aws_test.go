package integration

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

const noAWS = "no AWS credentials/stack: deploy with make deploy and set AWS_PROFILE (and AWS_REGION), then make test-aws"

// openAWSTarget reads the deployed stack's outputs with the default credential chain.
func openAWSTarget(ctx context.Context) (*Target, error) {
	// Without any configured source the chain would end at the EC2 instance metadata
	// service, which off EC2 only answers with a slow timeout: skip at once instead.
	if !credentialsConfigured() {
		return nil, unavailable("%s (no credentials in the environment or ~/.aws)", noAWS)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, unavailable("%s (%v)", noAWS, err)
	}
	if cfg.Region == "" {
		return nil, unavailable("%s (no region: set AWS_REGION)", noAWS)
	}
	probe, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(probe); err != nil {
		return nil, unavailable("%s (%v)", noAWS, err)
	}
	outputs, err := readStackOutputs(probe, cloudformation.NewFromConfig(cfg), stackName())
	if err != nil {
		return nil, unavailable("%s (stack %s in %s: %v)", noAWS, stackName(), cfg.Region, err)
	}
	return deployedTarget(ctx, "aws", cfg, outputs)
}

// credentialsConfigured reports whether any credential source other than instance
// metadata is configured: variables, shared files, web identity or a container role.
func credentialsConfigured() bool {
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		if os.Getenv(name) != "" {
			return true
		}
	}
	files := []string{os.Getenv("AWS_SHARED_CREDENTIALS_FILE"), os.Getenv("AWS_CONFIG_FILE")}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config"))
	}
	for _, file := range files {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); err == nil {
			return true
		}
	}
	return false
}
