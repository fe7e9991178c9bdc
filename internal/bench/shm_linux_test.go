//go:build linux

package bench

import (
	"fmt"
	"os"
	"syscall"
)

// tmpfsMagic is TMPFS_MAGIC from statfs(2).
const tmpfsMagic = 0x01021994

// setupShm makes the os peer's directory under /dev/shm, provided that
// /dev/shm is the host kernel's tmpfs.
func setupShm() {
	var sfs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &sfs); err != nil {
		shmSkip = "no /dev/shm: " + err.Error()
		return
	}
	if sfs.Type != tmpfsMagic {
		shmSkip = fmt.Sprintf("/dev/shm is not tmpfs (f_type %#x)", sfs.Type)
		return
	}
	d, err := os.MkdirTemp("/dev/shm", "vfscope-bench-")
	if err != nil {
		shmSkip = "cannot write /dev/shm: " + err.Error()
		return
	}
	shmRoot = d
}
