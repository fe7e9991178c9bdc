//go:build linux

package vfs_test

import (
	"os"
	"syscall"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

func hostFlockPair(fd int) error {
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		return err
	}
	return syscall.Flock(fd, syscall.LOCK_UN)
}

func hostPosixPair(fd int) error {
	l := syscall.Flock_t{Type: vfs.F_WRLCK, Start: 0, Len: 100}
	if err := syscall.FcntlFlock(uintptr(fd), syscall.F_SETLK, &l); err != nil {
		return err
	}
	l.Type = vfs.F_UNLCK
	return syscall.FcntlFlock(uintptr(fd), syscall.F_SETLK, &l)
}

// BenchmarkFileLockHost is BenchmarkFileLock on the host kernel: a file
// on /dev/shm; the other owner's locks are OFD locks of a second open.
func BenchmarkFileLockHost(b *testing.B) {
	for _, bc := range fileLockBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			dir, err := os.MkdirTemp("/dev/shm", "vfscope-bench-")
			if err != nil {
				b.Skip(err)
			}
			defer os.RemoveAll(dir)
			fd, err := syscall.Open(dir+"/f", syscall.O_RDWR|syscall.O_CREAT, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			defer syscall.Close(fd)
			ofd, err := syscall.Open(dir+"/f", syscall.O_RDWR, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer syscall.Close(ofd)
			for i := int64(0); i < bc.others; i++ {
				l := syscall.Flock_t{Type: vfs.F_WRLCK, Start: 1000 + 2*i, Len: 1}
				if err := syscall.FcntlFlock(uintptr(ofd), vfs.F_OFD_SETLK, &l); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				if err := bc.host(fd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
