//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal reports whether f is a terminal: isatty(3), which asks the
// tty driver for f's termios (TCGETS on Linux, TIOCGETA on the BSDs).
// A character device is not enough: /dev/null is one too, and
// `vfscope sh </dev/null` must not print prompts, nor `vfscope run
// --serve` wait for an interrupt no one can type.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}
