package vfsbilly_test

import (
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/host/vfsbilly"
	"github.com/vfscope/vfscope/vfs"
)

// A Lock that waits holds only its own file: closing another file of the
// same filesystem meanwhile is its last close, so that file's flock lock
// goes at once. flock(2): the lock is released when the last descriptor
// of the open file description is closed (fs/locks.c
// locks_remove_file from __fput); go-billy's osfs File.Lock is flock on
// Linux and holds nothing else while it waits. Nor does the wait take
// the other files' pending write errors: their own Close reports them.
func TestLockWaitHoldsOnlyItsFile(t *testing.T) {
	tests := []struct {
		name string
		// holder takes the lock the waiting Lock waits for, and
		// returns its release.
		holder func(t *testing.T, tk *vfs.Task, bfs billy.Filesystem) func()
	}{
		{"held by another billy.File", func(t *testing.T, tk *vfs.Task, bfs billy.Filesystem) func() {
			f, err := bfs.Open("a")
			must(t, err)
			must(t, f.Lock())
			return func() { must(t, f.Close()) }
		}},
		{"held by a task", func(t *testing.T, tk *vfs.Task, bfs billy.Filesystem) func() {
			fd, err := tk.Open("/data/a", vfs.O_RDONLY, 0)
			must(t, err)
			must(t, tk.Flock(fd, vfs.LOCK_EX))
			return func() { must(t, tk.Close(fd)) }
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, tk := newVFS(t)
			must(t, tk.Mkdir("/data", 0o755))
			bfs := vfsbilly.New(tk, "/data")
			for _, name := range []string{"a", "b"} {
				f, err := bfs.Create(name)
				must(t, err)
				must(t, f.Close())
			}
			release := tc.holder(t, tk, bfs)
			waiter, err := bfs.Open("a")
			must(t, err)
			other, err := bfs.OpenFile("b", os.O_RDWR, 0)
			must(t, err)
			must(t, other.Lock())
			// A write error of b's that other has not been told of:
			// the waiting Lock must leave it to other's Close (which
			// reports it: vfscope's close reports write errors).
			// (The reference OpenFile gives stays with the test's VFS:
			// no exported call drops it.)
			bf, err := tk.OpenFile(vfs.AT_FDCWD, "/data/b", vfs.O_RDONLY, 0)
			must(t, err)
			vfs.MappingSetError(bf.Inode().Mapping(), vfs.EIO)
			locked := make(chan error, 1)
			go func() { locked <- waiter.Lock() }()
			// Let the waiter reach its wait.
			for i := 0; i < 20; i++ {
				runtime.Gosched()
				time.Sleep(time.Millisecond)
			}
			select {
			case err := <-locked:
				t.Fatalf("Lock returned %v while the file was locked", err)
			default:
			}
			if err := other.Close(); !errors.Is(err, syscall.EIO) {
				t.Errorf("Close of another file during a Lock's wait: %v, want its write error EIO", err)
			}
			fd, err := tk.Open("/data/b", vfs.O_RDONLY, 0)
			must(t, err)
			if err := tk.Flock(fd, vfs.LOCK_EX|vfs.LOCK_NB); err != nil {
				t.Errorf("flock of b after its locked file was closed during another file's Lock: %v, want its lock gone", err)
			}
			must(t, tk.Close(fd))
			release()
			select {
			case err := <-locked:
				must(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Lock still waits after the lock it waited for was released by the last close of its file")
			}
			must(t, waiter.Close())
		})
	}
}

// TestCloseDuringLockReportsWriteError: Close of a file whose Lock
// waits does at once what close(2) by another thread does on Linux
// (filp_flush): it reports the file's write error that its description
// has not seen, while the Lock waits on with the description, and the
// descriptor goes when the Lock returns.
func TestCloseDuringLockReportsWriteError(t *testing.T) {
	v, tk := newVFS(t)
	must(t, tk.Mkdir("/data", 0o755))
	bfs := vfsbilly.New(tk, "/data")
	f, err := bfs.Create("a")
	must(t, err)
	must(t, f.Close())
	hfd, err := tk.Open("/data/a", vfs.O_RDONLY, 0)
	must(t, err)
	must(t, tk.Flock(hfd, vfs.LOCK_EX))
	waiter, err := bfs.OpenFile("a", os.O_RDWR, 0)
	must(t, err)
	af, err := tk.OpenFile(vfs.AT_FDCWD, "/data/a", vfs.O_RDONLY, 0)
	must(t, err)
	vfs.MappingSetError(af.Inode().Mapping(), vfs.EIO) // after waiter's open: news to it
	locked := make(chan error, 1)
	go func() { locked <- waiter.Lock() }()
	for i := 0; i < 20; i++ {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	open := func() int { return billyDescriptors(v, tk) }
	before := open()
	if err := waiter.Close(); !errors.Is(err, syscall.EIO) {
		t.Errorf("Close during a Lock's wait: %v, want the write error EIO", err)
	}
	if n := open(); n != before {
		t.Errorf("%d descriptors open after the Close, %d before: the waiting Lock's should stay", n, before)
	}
	must(t, tk.Close(hfd))
	select {
	case <-locked:
	case <-time.After(10 * time.Second):
		t.Fatal("Lock still waits after the lock was released")
	}
	if n := open(); n != before-1 {
		t.Errorf("%d descriptors open after the Lock returned, want %d", n, before-1)
	}
}

// billyDescriptors counts the descriptors open in the tables of v's
// go-billy filesystems: each binding's template task (comm "vfsbilly")
// holds the table its call tasks share. tk looks.
func billyDescriptors(v *vfs.VFS, tk *vfs.Task) int {
	n := 0
	for _, x := range v.Tasks() {
		if x.Comm() == "vfsbilly" {
			n += len(tk.FDsOf(x))
		}
	}
	return n
}
