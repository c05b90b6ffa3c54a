package task

import (
	"context"
	"time"

	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
)

// fixedNow is the clock of every test: Date headers and trace ids depend on it.
var fixedNow = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func testEnv() Env {
	return Env{Now: func() time.Time { return fixedNow }, NewID: SequentialIDs()}
}

// id is the n-th id SequentialIDs hands out.
func id(n int) string {
	ids := SequentialIDs()
	var s string
	for range n {
		s = ids()
	}
	return s
}

// invokePlain calls an integration with arguments written as Go maps, as the tests
// write them, and returns the result the same way.
func invokePlain(i Integration, ctx context.Context, req Request) (any, error) {
	req.Arguments = jsonvalue.FromGo(req.Arguments)
	got, err := i.Invoke(ctx, req)
	return jsonvalue.ToGo(got), err
}
