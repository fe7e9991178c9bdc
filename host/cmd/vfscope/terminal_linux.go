package main

import "golang.org/x/sys/unix"

// ioctlGetTermios is tcgetattr's request (include/uapi/asm-generic/ioctls.h).
const ioctlGetTermios = unix.TCGETS
