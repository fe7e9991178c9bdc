//go:build linux

package conformance

import (
	"fmt"
	"syscall"
)

// shmTmpfs says why /dev/shm cannot be DirFS's directory ("" if it can):
// the peer must be the host kernel's tmpfs, as in the numbers.
func shmTmpfs() string {
	var sfs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &sfs); err != nil {
		return "no /dev/shm: " + err.Error()
	}
	if sfs.Type != 0x01021994 { // TMPFS_MAGIC
		return fmt.Sprintf("/dev/shm is not tmpfs (f_type %#x)", sfs.Type)
	}
	return ""
}
