package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/require"

	"github.com/faresaga/faresaga/internal/fareclient"
)

// Target is a running fare-collection saga, as the scenarios see it: the front door
// fares are started through, the SDK clients outcomes are read with, where things are,
// where outcome messages arrive, and how long to wait for them.
type Target struct {
	Name string
	// DoorURL is the front door's base URL; Door its client (signing on AWS).
	DoorURL         string
	Door            *fareclient.Client
	SFN             *sfn.Client
	DynamoDB        *dynamodb.Client
	StateMachineARN string
	Tables          TableNames
	Outcomes        Outcomes
	Timeouts        Timeouts
	// ConcurrentFares caps the fares a scenario runs at once; 0 means as many as it
	// asks for. LocalStack's Lambda cannot start containers for hundreds of fares
	// within a Task's timeout.
	ConcurrentFares int
	close           func()
}

// fareCount is how many of n fares a scenario runs at once on this target.
func (tg *Target) fareCount(n int) int {
	if tg.ConcurrentFares > 0 && n > tg.ConcurrentFares {
		return tg.ConcurrentFares
	}
	return n
}

// TableNames are the physical names of the saga's tables on a target.
type TableNames struct {
	Fares, Payments, CustomerAccounts string
}

// Timeouts differ by orders of magnitude between targets: virtual time ends every
// saga at once, while on AWS a compensation exhausts minutes of retry backoff.
type Timeouts struct {
	Execution           time.Duration // a saga that ends without exhausting a compensation's retries
	CompensationFailure time.Duration // a saga in which a compensation exhausts its retries
	Message             time.Duration // from the end of an execution to its outcome message
	Poll                time.Duration // between two DescribeExecution calls
}

// Close releases what opening the target started (a local server, queue readers).
func (tg *Target) Close() {
	if tg.close != nil {
		tg.close()
	}
}

// targetUnavailable means the chosen target is not there: the tests skip with its
// message, which says what to start.
type targetUnavailable struct{ message string }

func (e *targetUnavailable) Error() string { return e.message }

func unavailable(format string, args ...any) error {
	return &targetUnavailable{message: fmt.Sprintf(format, args...)}
}

// openTarget opens the target FARESAGA_TARGET names.
func openTarget(ctx context.Context) (*Target, error) {
	switch name := os.Getenv("FARESAGA_TARGET"); name {
	case "", "local":
		return startLocalTarget(ctx)
	case "localstack":
		return openLocalStackTarget(ctx)
	case "aws":
		return openAWSTarget(ctx)
	default:
		return nil, fmt.Errorf("FARESAGA_TARGET=%q: want local, localstack or aws", name)
	}
}

// The target is opened once, by the first test that needs it, so that a skipped run
// costs nothing and a deployment happens once per run; TestMain closes it.
var shared struct {
	once   sync.Once
	target *Target
	err    error
}

// useTarget returns the run's target, or skips the test when it is unavailable.
func useTarget(t *testing.T) *Target {
	t.Helper()
	shared.once.Do(func() { shared.target, shared.err = openTarget(context.Background()) })
	var notThere *targetUnavailable
	if errors.As(shared.err, &notThere) {
		t.Skip(notThere.message)
	}
	require.NoError(t, shared.err, "open the %s target", os.Getenv("FARESAGA_TARGET"))
	return shared.target
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.target != nil {
		shared.target.Close()
	}
	os.Exit(code)
}
