//go:build !linux

package rie

import "os/exec"

// The smoke test skips off Linux (see TestDeployedArtefactsBoot); these only keep the
// package compiling there.

func ownProcessGroup(*exec.Cmd)          {}
func signalGroup(int, bool)              {}
func killProcess(int)                    {}
func processesRunning(string) []int      { return nil }
func listeningAddresses(...int) []string { return nil }
