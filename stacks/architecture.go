package stacks

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
)

// Architecture is the instruction set the functions are built and deployed for.
type Architecture string

const (
	// ARM64 is what AWS runs (Graviton): the default, and the only one a deployment to
	// AWS uses.
	ARM64 Architecture = "arm64"
	// X86_64 is for LocalStack on an x86_64 host: LocalStack starts each function's
	// container with the function's architecture, and without binfmt/qemu an arm64
	// bootstrap cannot execute there.
	X86_64 Architecture = "x86_64"
)

// ArchitectureContextKey is the CDK context key that selects the functions'
// architecture: cdklocal deploy -c lambdaArchitecture=x86_64.
const ArchitectureContextKey = "lambdaArchitecture"

// ParseArchitecture accepts arm64 or x86_64; "" means arm64.
func ParseArchitecture(s string) (Architecture, error) {
	switch Architecture(s) {
	case "", ARM64:
		return ARM64, nil
	case X86_64:
		return X86_64, nil
	}
	return "", fmt.Errorf("unknown architecture %q: the context value %q must be %s or %s", s, ArchitectureContextKey, ARM64, X86_64)
}

// ArchitectureFromContext reads the functions' architecture from the CDK context of
// scope (arm64 when unset).
func ArchitectureFromContext(scope constructs.Construct) (Architecture, error) {
	v, err := contextString(scope, ArchitectureContextKey, string(ARM64)+", "+string(X86_64))
	if err != nil {
		return "", err
	}
	return ParseArchitecture(v)
}

// AssetRoot is where `make build LAMBDA_ARCH=<a>` puts the bootstraps: build/ for arm64,
// build/<a>/ for the others.
func (a Architecture) AssetRoot() string {
	if a == ARM64 || a == "" {
		return DefaultAssetRoot
	}
	return filepath.Join(DefaultAssetRoot, string(a))
}

func (a Architecture) lambda() awslambda.Architecture {
	if a == X86_64 {
		return awslambda.Architecture_X86_64()
	}
	return awslambda.Architecture_ARM_64()
}
