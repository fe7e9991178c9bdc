//go:build !linux

package vfs_test

// Without a host kernel to compare with, the host halves are not run.
func hostFlockPair(fd int) error { return nil }
func hostPosixPair(fd int) error { return nil }
