//go:build linux

package vfs_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestTruncateSameSizeTimesLinux: truncate(2) and ftruncate(2) to a
// file's own size change its mtime and ctime as this machine's kernel
// changes them on a tmpfs (/dev/shm); the kernel is the oracle.
func TestTruncateSameSizeTimesLinux(t *testing.T) {
	dir, err := os.MkdirTemp("/dev/shm", "vfscope-trunc-")
	if err != nil {
		t.Skip("no tmpfs at /dev/shm:", err)
	}
	defer os.RemoveAll(dir)
	e := vt.New(t)
	for _, how := range []string{"truncate", "ftruncate"} {
		// The host.
		p := dir + "/" + how
		if err := os.WriteFile(p, []byte("abcd"), 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after syscall.Stat_t
		if err := syscall.Stat(p, &before); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if how == "truncate" {
			err = syscall.Truncate(p, 4)
		} else {
			var f *os.File
			if f, err = os.OpenFile(p, os.O_WRONLY, 0); err == nil {
				err = f.Truncate(4)
				f.Close()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Stat(p, &after); err != nil {
			t.Fatal(err)
		}
		hostM, hostC := after.Mtim != before.Mtim, after.Ctim != before.Ctim

		// vfscope.
		vp := "/tmp/" + how
		e.WriteFile(vp, "abcd", 0o644)
		var vb, va Stat
		e.Must(e.Root.Stat(vp, &vb))
		time.Sleep(20 * time.Millisecond)
		if how == "truncate" {
			e.Must(e.Root.Truncate(vp, 4))
		} else {
			fd, err := e.Root.Open(vp, O_WRONLY, 0)
			e.Must(err)
			e.Must(e.Root.Ftruncate(fd, 4))
			e.Must(e.Root.Close(fd))
		}
		e.Must(e.Root.Stat(vp, &va))
		gotM, gotC := va.Mtime != vb.Mtime, va.Ctime != vb.Ctime
		if gotM != hostM || gotC != hostC {
			t.Errorf("%s to the same size: vfscope changes mtime %v, ctime %v; the host %v, %v", how, gotM, gotC, hostM, hostC)
		}
	}
}
