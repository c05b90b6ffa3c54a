package stripe

import (
	"context"
	"sync"
	"time"
)

// Binding is what the adapter writes down before it sends a request: which
// PaymentIntent the idempotency key addresses and what the request was. Stripe has no
// lookup by idempotency key, and its search API is eventually consistent, so this is
// how a compensation finds the intent a request touched when its answer was lost.
type Binding struct {
	Key       string `dynamodbav:"key"`
	Operation string `dynamodbav:"operation"` // gateway.Op*; OpCancel: the key was closed before any intent
	IntentID  string `dynamodbav:"intentId,omitempty"`
	// Fingerprint is a hash of the request's parameters (never the parameters: one is
	// the payment token), so a key reused for a different request is refused before it
	// reaches Stripe.
	Fingerprint string    `dynamodbav:"fingerprint,omitempty"`
	CreatedAt   time.Time `dynamodbav:"createdAt"`
}

// Bindings keeps the adapter's bindings: NewMemoryBindings for the local runtime and
// tests, NewDynamoBindings in the PaymentGateway table for Lambda, where every instance
// must see every binding.
type Bindings interface {
	// Bind writes b unless its key is bound already, and returns the binding the key
	// has now: b, or the one written first.
	Bind(ctx context.Context, b Binding) (Binding, error)
	// Get returns the key's binding, and false when it has none.
	Get(ctx context.Context, key string) (Binding, bool, error)
}

type memoryBindings struct {
	mu   sync.Mutex
	keys map[string]Binding
}

// NewMemoryBindings returns empty in-process bindings.
func NewMemoryBindings() Bindings { return &memoryBindings{keys: map[string]Binding{}} }

func (m *memoryBindings) Bind(_ context.Context, b Binding) (Binding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if first, bound := m.keys[b.Key]; bound {
		return first, nil
	}
	m.keys[b.Key] = b
	return b, nil
}

func (m *memoryBindings) Get(_ context.Context, key string) (Binding, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.keys[key]
	return b, ok, nil
}
