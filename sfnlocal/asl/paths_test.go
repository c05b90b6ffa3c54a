package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckPath(t *testing.T) {
	tests := []struct {
		path  string
		kind  pathKind
		valid bool
	}{
		{"$", anyPath, true},
		{"$.a.b[0]['c d'][\"e\"]", referencePath, true},
		{"$$.Execution.Id", anyPath, true},
		{"$$.Execution.Id", referencePath, false},
		{"$myVariable.field", anyPath, true},
		{"$myVariable", referencePath, false},
		{"$..a", anyPath, true},
		{"$..a", referencePath, false},
		{"$.a[*].b", anyPath, true},
		{"$.a[*]", referencePath, false},
		{"$.a[?(@.b[0] > 1)]", anyPath, true},
		{"$.a[1:2]", referencePath, false},
		{"States.Format('{}', $.a)", pathOrIntrinsic, true},
		{"States.Format('{}', $.a)", anyPath, false},
		{"a", anyPath, false},
		{"", anyPath, false},
		{"$.", anyPath, false},
		{"$.a b", anyPath, false},
		{"$.a[", anyPath, false},
		{"$.a[]", anyPath, false},
		{"$.a['b", anyPath, false},
		{"$.a['b'x", anyPath, false},
		{"$a)", anyPath, false},
	}
	for _, tc := range tests {
		err := checkPath(tc.path, tc.kind)
		assert.Equal(t, tc.valid, err == nil, "checkPath(%q, %d): %v", tc.path, tc.kind, err)
	}
}
