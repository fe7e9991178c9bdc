package vfs_test

import (
	"fmt"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// TestOSyncWriteWithoutFsync: an O_SYNC or O_DSYNC write is synced
// before it returns (generic_write_sync calls vfs_fsync_range): the
// pages are written and clean; a plain write leaves them dirty. On a
// filesystem without ->fsync, vfs_fsync_range's EINVAL is the write's
// answer, as generic_write_sync returns it, the data in the cache.
func TestOSyncWriteWithoutFsync(t *testing.T) {
	for _, hasFsync := range []bool{true, false} {
		for _, c := range []struct {
			name  string
			flags int
			dirty int64 // pages dirty after the write
		}{
			{"O_SYNC", O_SYNC, 0},
			{"O_DSYNC", O_DSYNC, 0},
			{"plain", 0, 2},
		} {
			t.Run(fmt.Sprintf("%s fsync %v", c.name, hasFsync), func(t *testing.T) {
				e := newRCEnv(t, 0)
				if !hasFsync {
					e.fs.fops.Fsync = nil // before any file is opened
				}
				fd, err := e.Root.Open("/r/f", O_CREAT|O_RDWR|c.flags, 0o644)
				e.Must(err)
				if !hasFsync && c.flags != 0 {
					if n, err := e.Root.Pwrite(fd, make([]byte, 2*PAGE_SIZE), 0); n != 0 || err != EINVAL {
						t.Fatalf("%s write without ->fsync: %d, %v; want 0, EINVAL", c.name, n, err)
					}
					if got := e.V.MemStat().Dirty; got != 2 {
						t.Errorf("%d pages dirty after the write, want 2 (written, not synced)", got)
					}
					e.Must(e.Root.Close(fd))
					return
				}
				e.pwrite(fd, make([]byte, 2*PAGE_SIZE), 0)
				if got := e.V.MemStat().Dirty; got != c.dirty {
					t.Errorf("%d pages dirty after the write, want %d", got, c.dirty)
				}
				e.fs.mu.Lock()
				onDisk := len(e.fs.files["f"].pages)
				e.fs.mu.Unlock()
				if want := 2 - int(c.dirty); onDisk != want {
					t.Errorf("%d pages on disk after the write, want %d", onDisk, want)
				}
				e.Must(e.Root.Close(fd))
			})
		}
	}
}
