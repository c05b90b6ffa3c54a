package rie

import (
	"testing"

	"github.com/faresaga/faresaga/internal/testtool"
)

// emulator is pinned: a version known to install from the module proxy and to behave as
// this test expects (one invocation at a time). FARESAGA_RIE_REQUIRED makes an emulator
// that cannot be installed a failure instead of a skip, for CI.
var emulatorProgram = testtool.Program{
	Name:        "aws-lambda-rie",
	Module:      "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie",
	Version:     "v0.0.0-20261030222936-bef5c4ba774d",
	RequiredVar: "FARESAGA_RIE_REQUIRED",
}

// emulatorBinary returns the pinned aws-lambda-rie, installed once into the user's cache.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	return emulatorProgram.Binary(t)
}
