//go:build !linux && !darwin && !dragonfly && !freebsd && !netbsd && !openbsd && !windows

package main

import "os"

// isTerminal is false where there is no terminal to ask about: the
// shell prints no prompts and vfscope run --serve stops with its guest.
func isTerminal(*os.File) bool { return false }
