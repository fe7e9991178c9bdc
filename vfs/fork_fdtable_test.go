package vfs_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestForkFillsFdTableUnderItsLock: a task is listed (and /proc/<pid>/fd
// readable) from the moment Fork makes it, so Fork must fill the new
// descriptor table under the new task's own file_lock, which the readers
// take (Linux's dup_fd builds the table before the task is visible).
// Run under -race: listing the fd directory of each child while its
// parent forks it raced the copy.
func TestForkFillsFdTableUnderItsLock(t *testing.T) {
	v, init, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	parent := init.Fork("parent")
	for range 32 {
		if _, err := parent.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0); err != nil {
			t.Fatal(err)
		}
	}
	reader := init.Fork("reader")
	var next atomic.Int32
	next.Store(reader.PID() + 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3000 {
			c := parent.Fork("child")
			next.Store(c.PID() + 1)
			c.Exit()
			runtime.Gosched() // one goroutine at a time under WebAssembly
		}
	}()
	listed := 0
	for {
		select {
		case <-done:
			t.Logf("listed %d fd directories while forking", listed)
			return
		default:
		}
		fd, err := reader.Open(fmt.Sprintf("/proc/%d/fd", next.Load()), vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		if err == nil {
			if _, err := reader.Getdents(fd, 1<<16); err != nil && err != vfs.ENOENT {
				t.Errorf("getdents: %v", err)
			}
			reader.Close(fd)
			listed++
		}
		runtime.Gosched()
	}
}
