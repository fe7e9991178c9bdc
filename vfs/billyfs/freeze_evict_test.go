package billyfs_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
)

// TestFrozenEvictWaitsForThaw: the last close of an unlinked file on a
// frozen billyfs frees nothing on the store until the thaw. Eviction
// frees the inode under sb_start_intwrite (SB_FREEZE_FS), as ext2 and
// ext4 do, so the close blocks while frozen and the orphan mark, the
// inode record and the data stay; after FITHAW the close returns and
// the inode is gone from the store.
func TestFrozenEvictWaitsForThaw(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"8KiB", 8 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("freeze-evict-%d", storeSeq.Add(1))
			store := memfs.New()
			if err := billyfs.RegisterStore(name, store); err != nil {
				t.Fatal(err)
			}
			defer billyfs.ForgetStore(name)
			e := newEnv(t, name)
			e.mount("")
			// The closer opens the file itself, so its descriptor is
			// the last reference.
			closer := e.Root.Fork("closer")
			defer closer.Exit()
			fd, err := closer.Open("/mnt/f", vfs.O_CREAT|vfs.O_RDWR, 0o644)
			e.Must(err)
			if tc.size > 0 {
				if n, err := closer.Write(fd, pattern(7, tc.size)); err != nil || n != tc.size {
					t.Fatalf("write: %d, %v", n, err)
				}
			}
			var st vfs.Stat
			e.Must(closer.Fstat(fd, &st))
			ino := strconv.FormatUint(st.Ino, 16)
			e.Must(e.Root.Unlink("/mnt/f"))
			e.Must(e.Root.Freeze("/mnt"))
			present := func() []string {
				var have []string
				for _, p := range []string{"orphan/" + ino, "i/" + ino, "f/" + ino} {
					if _, err := store.Stat(p); err == nil {
						have = append(have, p)
					}
				}
				return have
			}
			frozen := storeImage(t, store)
			if got := present(); len(got) < 2 || got[0] != "orphan/"+ino {
				t.Fatalf("after the freeze the store holds %v of the unlinked inode, want its orphan mark and record", got)
			}
			done := make(chan error, 1)
			go func() { done <- closer.Close(fd) }()
			closed := false
			select {
			case err := <-done:
				closed = true
				t.Errorf("close on a frozen filesystem returned (%v) before the thaw", err)
			case <-time.After(200 * time.Millisecond):
			}
			if got := storeImage(t, store); got != frozen {
				t.Errorf("the store changed while frozen:\nfrozen:\n%s\nafter the close:\n%s", frozen, got)
			}
			e.Must(e.Root.Thaw("/mnt"))
			if !closed {
				select {
				case err := <-done:
					e.Must(err)
				case <-time.After(10 * time.Second):
					t.Fatal("close still blocked after the thaw")
				}
			}
			if got := present(); len(got) != 0 {
				t.Errorf("after the thaw and the close the store still holds %v", got)
			}
		})
	}
}
