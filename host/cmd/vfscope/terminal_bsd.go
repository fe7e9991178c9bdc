//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "golang.org/x/sys/unix"

// ioctlGetTermios is tcgetattr's request on the BSDs (sys/ttycom.h).
const ioctlGetTermios = unix.TIOCGETA
