//go:build !linux

package bench

import "runtime"

// setupShm: the os peer measures the Linux kernel's tmpfs, which only
// Linux has.
func setupShm() {
	shmSkip = "not Linux (" + runtime.GOOS + "): no host tmpfs at /dev/shm"
}
