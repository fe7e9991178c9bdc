package billyfs_test

import (
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestFreezeSyncFailureUnfreezes: when the sync inside freeze_super
// fails, FIFREEZE returns that error and leaves the filesystem as it
// was: not frozen (FITHAW says EINVAL), writers not held back, and a
// later freeze, with the store healthy again, works. The faults hit the
// superblock record that ->sync_fs writes: at the sync after SB_FREEZE_WRITE
// is taken, and at the one after SB_FREEZE_PAGEFAULT (each sync writes
// it twice, without and with waiting).
func TestFreezeSyncFailureUnfreezes(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule faultstore.Rule
		want error
	}{
		{"record write", faultstore.Rule{Op: faultstore.OpWrite, Path: "super*", Nth: 1, Err: vfs.EIO}, vfs.EIO},
		{"record sync", faultstore.Rule{Op: faultstore.OpSync, Path: "super*", Nth: 1, Err: vfs.EIO}, vfs.EIO},
		{"second sync", faultstore.Rule{Op: faultstore.OpRename, Path: "super*", Nth: 3, Err: vfs.ENOSPC}, vfs.ENOSPC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, s := faultEnvSeq(t)
			r := e.Root
			e.WriteFile("/mnt/f", "data", 0o644)
			s.Add(tc.rule)
			if err := r.Freeze("/mnt"); err != tc.want {
				t.Fatalf("freeze with a failing sync: %v, want %v", err, tc.want)
			}
			s.Clear()
			if err := r.Thaw("/mnt"); err != vfs.EINVAL {
				t.Errorf("thaw after the failed freeze: %v, want EINVAL (not frozen)", err)
			}
			// A writer gets through at once.
			w := r.Fork("writer")
			defer w.Exit()
			done := make(chan error, 1)
			go func() {
				fd, err := w.Open("/mnt/g", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
				if err == nil {
					_, err = w.Write(fd, []byte("after"))
					w.Close(fd)
				}
				done <- err
			}()
			select {
			case err := <-done:
				e.Must(err)
			case <-time.After(10 * time.Second):
				t.Fatal("a write after the failed freeze is still blocked")
			}
			e.Must(r.Freeze("/mnt"))
			e.Must(r.Thaw("/mnt"))
		})
	}
}
