package intrinsic

import (
	"strings"
	"testing"

	"github.com/faresaga/faresaga/sfnlocal/failure"
	"github.com/faresaga/faresaga/sfnlocal/jsonvalue"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldRef is a test Reference: "$.name" reads a top-level field of the input, "$$.name"
// of the context, "$name" a variable. Real paths come from package jsonpath.
type fieldRef struct {
	root, name string
}

func (r fieldRef) Resolve(input any, env *Env) (any, bool) {
	var from any = input
	switch r.root {
	case "$$":
		from = env.Context
	case "var":
		if env.Vars == nil {
			return nil, false
		}
		return env.Vars.Lookup(r.name)
	}
	if r.name == "" {
		return from, true
	}
	m, ok := from.(*jsonvalue.Object)
	if !ok {
		return nil, false
	}
	return m.Get(r.name)
}

func compileField(path string) (Reference, error) {
	switch {
	case strings.HasPrefix(path, "$$."):
		return fieldRef{"$$", path[3:]}, nil
	case strings.HasPrefix(path, "$."):
		return fieldRef{"$", path[2:]}, nil
	case path == "$":
		return fieldRef{"$", ""}, nil
	}
	return fieldRef{"var", path[1:]}, nil
}

type vars map[string]any

func (v vars) Lookup(name string) (any, bool) { x, ok := v[name]; return x, ok }

type fixedRandom int64

func (f fixedRandom) Int64N(n int64) int64 { return int64(f) % n }

// testEnv is deterministic: a fixed random source and UUID.
func testEnv() *Env {
	return &Env{
		Context: jsonvalue.ObjectOf("Execution", "exec-1"),
		Vars:    vars{"greeting": "hello", "list": []any{1.0, 2.0}},
		Random:  fixedRandom(7),
		NewUUID: func() string { return "11111111-2222-4333-8444-555555555555" },
	}
}

// evalCase is one expression evaluated against input.
type evalCase struct {
	name  string
	expr  string
	input any
	want  any
	// wantErr, when set, is a substring of the IntrinsicFailure cause expected.
	wantErr string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			call, err := Parse(tc.expr, compileField)
			require.NoError(t, err)
			got, err := call.Eval(jsonvalue.FromGo(tc.input), testEnv())
			if tc.wantErr != "" {
				require.Error(t, err)
				f := failure.As(err)
				assert.Equal(t, failure.IntrinsicFailure, f.Name)
				assert.Contains(t, f.Cause, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, jsonvalue.ToGo(got))
		})
	}
}
