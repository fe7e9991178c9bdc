package billyfs_test

import (
	"fmt"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/billyfs/faultstore"
)

// TestDirRenameFlushErrorKeepsOneDentry: a directory renamed under
// -o dirsync whose flush fails is renamed all the same (EIO; the VFS
// keeps the old name's dentry, billyfs drops it from the hash). A task
// standing in the directory follows it to the new name at the next
// lookup of that name (d_splice_alias moves the one dentry), rather than
// the directory getting a second dentry while the task's stays
// unreachable; across directories as within one.
func TestDirRenameFlushErrorKeepsOneDentry(t *testing.T) {
	for _, c := range []struct {
		name, rule, to, cwd string
	}{
		{"same directory", "d/2", "/mnt/b", "/mnt/b/in"},
		{"across directories", "d/*", "/mnt/sub/b", "/mnt/sub/b/in"},
	} {
		t.Run(c.name, func(t *testing.T) {
			store := fmt.Sprintf("dsplice-%d", storeSeq.Add(1))
			e := newEnv(t, store)
			fs := faultstore.New(memfs.New())
			e.Must(billyfs.RegisterStore(store, fs))
			t.Cleanup(func() { billyfs.ForgetStore(store) })
			r := e.Root
			e.Must(r.Mount("none", "/mnt", "billyfs", vfs.MS_DIRSYNC, "store="+store))
			e.Must(r.Mkdir("/mnt/a", 0o755))
			e.Must(r.Mkdir("/mnt/a/in", 0o755))
			e.Must(r.Mkdir("/mnt/sub", 0o755))
			// A task stands in /mnt/a/in: its cwd holds the dentries of
			// in and a.
			w := r.Fork("walker")
			defer w.Exit()
			e.Must(w.Chdir("/mnt/a/in"))

			fs.Add(faultstore.Rule{Op: faultstore.OpSync, Path: c.rule, Nth: 1, Err: vfs.EIO})
			if err := r.Rename("/mnt/a", c.to); err != vfs.EIO {
				t.Fatalf("rename = %v, want EIO", err)
			}
			fs.Clear()
			var st vfs.Stat
			e.Must(r.Stat(c.to+"/in", &st))
			cwd, err := w.Getcwd()
			e.Must(err)
			if cwd != c.cwd {
				t.Fatalf("getcwd in the renamed directory = %q, want %q", cwd, c.cwd)
			}
			var fromCwd vfs.Stat
			e.Must(w.Stat(".", &fromCwd))
			if fromCwd.Ino != st.Ino {
				t.Fatalf("cwd is inode %d, %s is %d", fromCwd.Ino, c.cwd, st.Ino)
			}
		})
	}
}
