package stripemock

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel end stripe-mock when the test binary ends, however it
// ends, so no server outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
