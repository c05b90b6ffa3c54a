//go:build !linux

package stripemock

import "os/exec"

// dieWithParent: outside Linux, the test's cleanup is what ends stripe-mock.
func dieWithParent(*exec.Cmd) {}
