package simulated

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/faresaga/faresaga/internal/gateway"
)

// Store keeps the simulated gateway's state: what a real gateway keeps on its side.
// Only this package implements it: NewMemoryStore for the local runtime, NewDynamoStore
// for the deployed stack.
type Store interface {
	idempotencyRecord(ctx context.Context, key string) (keyRecord, bool, error)
	authorization(ctx context.Context, code string) (State, bool, error)
	// commit stores a key's record and the authorisation's next state together, provided
	// the key is still unused and the authorisation is still at expectedVersion (0: it
	// does not exist yet). Otherwise it stores nothing and returns errStoreConflict, and
	// the gateway reads again: this is what stops two concurrent calls both applying.
	commit(ctx context.Context, rec keyRecord, next State, expectedVersion int64) error
}

// errStoreConflict: another call changed the key or the authorisation since we read them.
var errStoreConflict = errors.New("gateway state changed concurrently")

// State is an authorisation as the simulated gateway keeps it.
type State struct {
	gateway.Authorization
	// FareID is the fare the pre-authorisation was made for (a real gateway's metadata).
	FareID string `dynamodbav:"fareId,omitempty"`
	// DeclinesCapture is the issuer's answer to a future capture, decided at
	// pre-authorisation from the test token (see CaptureDeclinedToken).
	DeclinesCapture bool      `dynamodbav:"declinesCapture,omitempty"`
	Version         int64     `dynamodbav:"version"` // one more per applied request
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	UpdatedAt       time.Time `dynamodbav:"updatedAt"`
}

// expiresAt is when an authorisation left uncaptured is released.
func (s State) expiresAt() time.Time { return s.CreatedAt.Add(gateway.AuthorizationLifetime) }

// keyRecord is what a request under an idempotency key did, kept to answer its replays
// and lookups.
type keyRecord struct {
	Key         string                `dynamodbav:"key"`
	Operation   string                `dynamodbav:"operation"`
	Fingerprint string                `dynamodbav:"fingerprint"`
	Code        string                `dynamodbav:"authorizationCode"`
	Response    gateway.Authorization `dynamodbav:"response"`
	CreatedAt   time.Time             `dynamodbav:"createdAt"`
}

// memoryStore keeps the state in the process: right for the local runtime and tests,
// wrong for Lambda, where each instance would have a gateway of its own.
type memoryStore struct {
	mu    sync.Mutex
	keys  map[string]keyRecord
	auths map[string]State
}

// NewMemoryStore returns an empty in-process store.
func NewMemoryStore() Store {
	return &memoryStore{keys: map[string]keyRecord{}, auths: map[string]State{}}
}

func (m *memoryStore) idempotencyRecord(_ context.Context, key string) (keyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.keys[key]
	return rec, ok, nil
}

func (m *memoryStore) authorization(_ context.Context, code string) (State, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	auth, ok := m.auths[code]
	return auth, ok, nil
}

func (m *memoryStore) commit(_ context.Context, rec keyRecord, next State, expectedVersion int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, used := m.keys[rec.Key]; used || m.auths[next.Code].Version != expectedVersion {
		return errStoreConflict
	}
	m.keys[rec.Key] = rec
	m.auths[next.Code] = next
	return nil
}
