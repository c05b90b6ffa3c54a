package payment

import (
	"context"
	"errors"
	"sync"
	"time"
)

// GatewayStore keeps the simulated gateway's state: what a real gateway keeps on its
// side. Only this package implements it: NewMemoryGatewayStore for the local runtime,
// NewDynamoGatewayStore for the deployed stack.
type GatewayStore interface {
	idempotencyRecord(ctx context.Context, key string) (keyRecord, bool, error)
	authorization(ctx context.Context, code string) (authState, bool, error)
	// commit stores a key's record and the authorisation's next state together, provided
	// the key is still unused and the authorisation is still at expectedVersion (0: it
	// does not exist yet). Otherwise it stores nothing and returns errStoreConflict, and
	// the gateway reads again: this is what stops two concurrent calls both applying.
	commit(ctx context.Context, rec keyRecord, next authState, expectedVersion int64) error
}

// errStoreConflict: another call changed the key or the authorisation since we read them.
var errStoreConflict = errors.New("gateway state changed concurrently")

// authState is an authorisation as the gateway keeps it.
type authState struct {
	Authorization
	// DeclinesCapture is the issuer's answer to a future capture, decided at
	// pre-authorisation from the test token (see CaptureDeclinedToken).
	DeclinesCapture bool      `dynamodbav:"declinesCapture,omitempty"`
	Version         int64     `dynamodbav:"version"` // one more per applied request
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	UpdatedAt       time.Time `dynamodbav:"updatedAt"`
}

// keyRecord is what a request under an idempotency key did, kept to answer its replays
// and lookups.
type keyRecord struct {
	Key         string        `dynamodbav:"key"`
	Operation   string        `dynamodbav:"operation"`
	Fingerprint string        `dynamodbav:"fingerprint"`
	Code        string        `dynamodbav:"authorizationCode"`
	Response    Authorization `dynamodbav:"response"`
	CreatedAt   time.Time     `dynamodbav:"createdAt"`
}

// memoryGatewayStore keeps the state in the process: right for the local runtime and
// tests, wrong for Lambda, where each instance would have a gateway of its own.
type memoryGatewayStore struct {
	mu    sync.Mutex
	keys  map[string]keyRecord
	auths map[string]authState
}

// NewMemoryGatewayStore returns an empty in-process store.
func NewMemoryGatewayStore() GatewayStore {
	return &memoryGatewayStore{keys: map[string]keyRecord{}, auths: map[string]authState{}}
}

func (m *memoryGatewayStore) idempotencyRecord(_ context.Context, key string) (keyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.keys[key]
	return rec, ok, nil
}

func (m *memoryGatewayStore) authorization(_ context.Context, code string) (authState, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	auth, ok := m.auths[code]
	return auth, ok, nil
}

func (m *memoryGatewayStore) commit(_ context.Context, rec keyRecord, next authState, expectedVersion int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, used := m.keys[rec.Key]; used || m.auths[next.Code].Version != expectedVersion {
		return errStoreConflict
	}
	m.keys[rec.Key] = rec
	m.auths[next.Code] = next
	return nil
}
