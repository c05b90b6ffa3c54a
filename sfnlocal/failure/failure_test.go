package failure

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAs(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want *Error
	}{
		{"nil", nil, nil},
		{"a failure", New(Timeout, "after %d s", 5), &Error{Name: Timeout, Cause: "after 5 s"}},
		{"a wrapped failure", fmt.Errorf("task: %w", New(TaskFailed, "x")), &Error{Name: TaskFailed, Cause: "x"}},
		{"anything else", errors.New("boom"), &Error{Name: Runtime, Cause: "boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, As(tt.err))
		})
	}
}

func TestErrorText(t *testing.T) {
	assert.Equal(t, "States.Timeout", (&Error{Name: Timeout}).Error())
	assert.Equal(t, "States.Runtime: bad path", New(Runtime, "bad path").Error())
}
