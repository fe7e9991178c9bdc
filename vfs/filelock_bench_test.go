package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// BenchmarkFileLock: an uncontended lock and unlock, as a program
// guarding a record does; BenchmarkFileLockHost (linux) runs the same
// on the host kernel's tmpfs for comparison.
func BenchmarkFileLock(b *testing.B) {
	for _, bc := range fileLockBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			// Lock validation off (unless VFSCOPE_LOCKDEP=1), as a
			// program embedding the VFS runs it.
			_, tk, err := boot.New(vfs.Options{})
			must := func(err error) {
				if err != nil {
					b.Fatal(err)
				}
			}
			must(err)
			fd, err := tk.Open("/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
			must(err)
			// Other owners' locks elsewhere in the file, as in a shared
			// database file.
			other := tk.Fork("other")
			defer other.Exit()
			ofd, err := other.Open("/f", vfs.O_RDWR, 0)
			must(err)
			for i := int64(0); i < bc.others; i++ {
				must(other.FcntlLock(ofd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 1000 + 2*i, Len: 1}))
			}
			b.ResetTimer()
			for range b.N {
				if err := bc.vfs(tk, fd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var fileLockBenchCases = []struct {
	name   string
	others int64
	vfs    func(tk *vfs.Task, fd int) error
	host   func(fd int) error
}{
	{"flock", 0, func(tk *vfs.Task, fd int) error {
		if err := tk.Flock(fd, vfs.LOCK_EX); err != nil {
			return err
		}
		return tk.Flock(fd, vfs.LOCK_UN)
	}, hostFlockPair},
	{"posix", 0, vfsPosixPair, hostPosixPair},
	{"posix-100-others", 100, vfsPosixPair, hostPosixPair},
}

func vfsPosixPair(tk *vfs.Task, fd int) error {
	if err := tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_WRLCK, Start: 0, Len: 100}); err != nil {
		return err
	}
	return tk.FcntlLock(fd, vfs.F_SETLK, &vfs.Flock{Type: vfs.F_UNLCK, Start: 0, Len: 100})
}
