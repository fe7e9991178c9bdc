package tmpfs_test

import (
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestLongSymlinkSpace: a symlink body longer than SHORT_SYMLINK_LEN
// (128 with its NUL) takes a page on Linux (shmem_symlink: shmem_get_folio
// charged by shmem_inode_acct_blocks), so it counts against size= (ENOSPC
// when full), shows in st_blocks, and comes back when the link goes.
// Shorter bodies take no block. Expected values from a size=8k tmpfs on
// Linux 6.18.
func TestLongSymlinkSpace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int   // body length
		blocks int64 // st_blocks of the link
		used   uint64
	}{
		{"127 bytes", 127, 0, 0},
		{"128 bytes", 128, 8, 1},
		{"1000 bytes", 1000, 8, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk, err := boot.New(vfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Shutdown()
			if err := tk.Mkdir("/a", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := tk.Mount("none", "/a", "tmpfs", 0, "size=8k"); err != nil {
				t.Fatal(err)
			}
			free := func() uint64 {
				var st vfs.Statfs
				if err := tk.Statfs("/a", &st); err != nil {
					t.Fatal(err)
				}
				return st.Bfree
			}
			before := free()
			if err := tk.Symlink(strings.Repeat("x", tc.n), "/a/s"); err != nil {
				t.Fatal(err)
			}
			var st vfs.Stat
			if err := tk.Lstat("/a/s", &st); err != nil {
				t.Fatal(err)
			}
			if st.Blocks != tc.blocks {
				t.Errorf("st_blocks %d, want %d", st.Blocks, tc.blocks)
			}
			if got := before - free(); got != tc.used {
				t.Errorf("blocks used %d, want %d", got, tc.used)
			}
			if err := tk.Unlink("/a/s"); err != nil {
				t.Fatal(err)
			}
			if got := free(); got != before {
				t.Errorf("after unlink %d blocks free, want %d", got, before)
			}
		})
	}
	// A full tmpfs has no room for a long body: ENOSPC, nothing made.
	t.Run("full", func(t *testing.T) {
		v, tk, err := boot.New(vfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer v.Shutdown()
		if err := tk.Mkdir("/a", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := tk.Mount("none", "/a", "tmpfs", 0, "size=4k"); err != nil {
			t.Fatal(err)
		}
		fd, err := tk.Open("/a/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tk.Write(fd, []byte("hi")); err != nil {
			t.Fatal(err)
		}
		tk.Close(fd)
		if err := tk.Symlink(strings.Repeat("x", 200), "/a/s"); err != vfs.ENOSPC {
			t.Fatalf("long symlink on a full tmpfs: %v, want ENOSPC", err)
		}
		var st vfs.Stat
		if err := tk.Lstat("/a/s", &st); err != vfs.ENOENT {
			t.Errorf("the failed link exists: %v", err)
		}
		if err := tk.Symlink(strings.Repeat("x", 100), "/a/t"); err != nil {
			t.Errorf("short symlink on a full tmpfs: %v", err)
		}
	})
}
