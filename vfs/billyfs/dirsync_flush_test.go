package billyfs_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// tree describes every name under dir: path, inode number, link count.
func (e *env) tree(dir string) string {
	e.TB.Helper()
	var lines []string
	var walk func(p string)
	walk = func(p string) {
		names, err := e.Names(p)
		e.Must(err)
		for _, n := range names {
			c := p + "/" + n
			var st vfs.Stat
			e.Must(e.Root.Lstat(c, &st))
			lines = append(lines, fmt.Sprintf("%s ino=%d nlink=%d", strings.TrimPrefix(c, dir), st.Ino, st.Nlink))
			if vfs.IsDir(st.Mode) {
				walk(c)
			}
		}
	}
	walk(dir)
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestDirSyncFlushError: under -o dirsync, a directory change whose
// log record reached the store but whose flush failed returns EIO with
// the change made, as ext2_add_link and ext2_delete_entry change the
// directory and then report ext2_handle_dirsync's error. The next mount
// replays the record, so the tree after the error (names, inode
// numbers, link counts; a removed name is not left in the dcache) is
// the tree after a remount.
func TestDirSyncFlushError(t *testing.T) {
	cases := []struct {
		name  string
		rule  string // the log whose flush fails
		op    func(r *vfs.Task) error
		gone  []string // names the change removed
		there []string // names it made
	}{
		{"unlink", "d/2", func(r *vfs.Task) error { return r.Unlink("/mnt/keep") }, []string{"/mnt/keep"}, nil},
		{"create", "d/2", func(r *vfs.Task) error { return r.Mknod("/mnt/new", vfs.S_IFREG|0o644, 0) }, nil, []string{"/mnt/new"}},
		{"mkdir", "d/2", func(r *vfs.Task) error { return r.Mkdir("/mnt/newdir", 0o755) }, nil, []string{"/mnt/newdir"}},
		{"rmdir", "d/2", func(r *vfs.Task) error { return r.Rmdir("/mnt/empty") }, []string{"/mnt/empty"}, nil},
		{"link", "d/2", func(r *vfs.Task) error { return r.Link("/mnt/keep", "/mnt/keep2") }, nil, []string{"/mnt/keep2"}},
		{"rename", "d/2", func(r *vfs.Task) error { return r.Rename("/mnt/keep", "/mnt/moved") }, []string{"/mnt/keep"}, []string{"/mnt/moved"}},
		{"rename over", "d/2", func(r *vfs.Task) error { return r.Rename("/mnt/keep", "/mnt/other") }, []string{"/mnt/keep"}, []string{"/mnt/other"}},
		{"rename across, first flush", "d/*", func(r *vfs.Task) error { return r.Rename("/mnt/sub/f", "/mnt/moved") }, []string{"/mnt/sub/f"}, []string{"/mnt/moved"}},
		{"rename across, second flush", "d/2", func(r *vfs.Task) error { return r.Rename("/mnt/keep", "/mnt/sub/moved") }, []string{"/mnt/keep"}, []string{"/mnt/sub/moved"}},
		{"exchange", "d/2", func(r *vfs.Task) error {
			return r.Renameat2(vfs.AT_FDCWD, "/mnt/keep", vfs.AT_FDCWD, "/mnt/other", vfs.RENAME_EXCHANGE)
		}, nil, []string{"/mnt/keep", "/mnt/other"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := fmt.Sprintf("dirsyncflush-%d-%d", i, storeSeq.Add(1))
			e := newEnv(t, store)
			fs := faultstore.New(memfs.New())
			e.Must(billyfs.RegisterStore(store, fs))
			t.Cleanup(func() { billyfs.ForgetStore(store) })
			r := e.Root
			mount := func() { e.Must(r.Mount("none", "/mnt", "billyfs", vfs.MS_DIRSYNC, "store="+store)) }
			mount()
			e.writeAt("/mnt/keep", []byte("data"), 0, 0)
			e.writeAt("/mnt/other", []byte("other"), 0, 0)
			e.Must(r.Mkdir("/mnt/empty", 0o755))
			e.Must(r.Mkdir("/mnt/sub", 0o755))
			e.writeAt("/mnt/sub/f", []byte("f"), 0, 0)
			r.Sync()
			fs.Add(faultstore.Rule{Op: faultstore.OpSync, Path: c.rule, Nth: 1, Err: vfs.EIO})
			if err := c.op(r); err != vfs.EIO {
				t.Fatalf("op = %v, want EIO", err)
			}
			fs.Clear()
			for _, p := range c.gone {
				var st vfs.Stat
				if err := r.Lstat(p, &st); err != vfs.ENOENT {
					t.Errorf("after the error: lstat %s = %v, want ENOENT", p, err)
				}
			}
			for _, p := range c.there {
				var st vfs.Stat
				if err := r.Lstat(p, &st); err != nil {
					t.Errorf("after the error: lstat %s = %v", p, err)
				}
			}
			before := e.tree("/mnt")
			e.umount()
			mount()
			if after := e.tree("/mnt"); after != before {
				t.Fatalf("after the error:\n%s\nafter a remount:\n%s", before, after)
			}
		})
	}
}
