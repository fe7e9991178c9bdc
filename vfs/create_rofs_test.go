package vfs_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestCreateOnReadOnly: the create family on a read-only mount reports
// the name's existence before the mount's state. Linux's
// filename_create() (fs/namei.c) takes mnt_want_write() but does not
// fail on it until the lookup is done ("don't fail immediately if it's
// r/o, at least try to report other errors"): an existing name gives
// EEXIST, a trailing slash on a non-directory create ENOENT, and only a
// name that would be made gives EROFS. For open, lookup_open() turns
// the failed write access into a create_error that applies only to a
// negative dentry, and do_open() gives EEXIST for O_EXCL on whatever
// was found (before EISDIR). Both the superblock's read-only flag
// (mount -o remount,ro) and the mount's (mount -o remount,bind,ro) are
// checked.
func TestCreateOnReadOnly(t *testing.T) {
	ro := map[string]uint32{
		"sb":    MS_REMOUNT | MS_RDONLY,
		"mount": MS_REMOUNT | MS_BIND | MS_RDONLY,
	}
	rows := []struct {
		name string
		op   func(e *vt.Env) error
		want Errno
	}{
		{"open excl existing file", func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_CREAT|O_EXCL, 0o644) }, EEXIST},
		{"open excl existing file for write", func(e *vt.Env) error { return openOnly(e, "/e/f", O_WRONLY|O_CREAT|O_EXCL, 0o644) }, EEXIST},
		{"open excl existing dir", func(e *vt.Env) error { return openOnly(e, "/e/dir", O_RDONLY|O_CREAT|O_EXCL, 0o644) }, EEXIST},
		{"open excl existing symlink", func(e *vt.Env) error { return openOnly(e, "/e/l", O_RDONLY|O_CREAT|O_EXCL, 0o644) }, EEXIST},
		{"open excl dangling symlink", func(e *vt.Env) error { return openOnly(e, "/e/dl", O_RDONLY|O_CREAT|O_EXCL, 0o644) }, EEXIST},
		{"open creat existing file", func(e *vt.Env) error { return openOnly(e, "/e/f", O_RDONLY|O_CREAT, 0o644) }, 0},
		{"open creat existing dir", func(e *vt.Env) error { return openOnly(e, "/e/dir", O_RDONLY|O_CREAT, 0o644) }, EISDIR},
		{"open creat new", func(e *vt.Env) error { return openOnly(e, "/e/new", O_RDONLY|O_CREAT, 0o644) }, EROFS},
		{"open excl new", func(e *vt.Env) error { return openOnly(e, "/e/new", O_RDONLY|O_CREAT|O_EXCL, 0o644) }, EROFS},
		{"mkdir existing dir", func(e *vt.Env) error { return e.T.Mkdir("/e/dir", 0o755) }, EEXIST},
		{"mkdir existing file", func(e *vt.Env) error { return e.T.Mkdir("/e/f", 0o755) }, EEXIST},
		{"mkdir existing dir slash", func(e *vt.Env) error { return e.T.Mkdir("/e/dir/", 0o755) }, EEXIST},
		{"mkdir new", func(e *vt.Env) error { return e.T.Mkdir("/e/new", 0o755) }, EROFS},
		{"mkdir dot", func(e *vt.Env) error { return e.T.Mkdir("/e/.", 0o755) }, EEXIST},
		{"mkdir under file", func(e *vt.Env) error { return e.T.Mkdir("/e/f/x", 0o755) }, ENOTDIR},
		{"mknod existing", func(e *vt.Env) error { return e.T.Mknod("/e/f", S_IFIFO|0o644, 0) }, EEXIST},
		{"mknod new", func(e *vt.Env) error { return e.T.Mknod("/e/new", S_IFIFO|0o644, 0) }, EROFS},
		{"symlink existing", func(e *vt.Env) error { return e.T.Symlink("x", "/e/f") }, EEXIST},
		{"symlink new", func(e *vt.Env) error { return e.T.Symlink("x", "/e/new") }, EROFS},
		{"symlink new slash", func(e *vt.Env) error { return e.T.Symlink("x", "/e/new/") }, ENOENT},
		{"link existing", func(e *vt.Env) error { return e.T.Link("/e/f", "/e/dir") }, EEXIST},
		{"link new", func(e *vt.Env) error { return e.T.Link("/e/f", "/e/f2") }, EROFS},
	}
	var cases []vt.Case
	for kind, flags := range ro {
		for _, r := range rows {
			cases = append(cases, vt.Case{
				Name: kind + " " + r.name,
				Setup: func(e *vt.Env) {
					e.Must(e.Root.Mount("none", "/e", "tmpfs", 0, ""))
					e.WriteFile("/e/f", "x", 0o644)
					e.Must(e.Root.Mkdir("/e/dir", 0o755))
					e.Must(e.Root.Symlink("f", "/e/l"))
					e.Must(e.Root.Symlink("nothere", "/e/dl"))
					e.Must(e.Root.Mount("none", "/e", "", flags, ""))
				},
				Op:   r.op,
				Want: r.want,
				Check: func(e *vt.Env) {
					e.TB.Helper()
					for _, p := range []string{"/e/new", "/e/f2", "/e/nothere"} {
						if e.Exists(p) {
							e.TB.Fatalf("%s was created on a read-only mount", p)
						}
					}
				},
			})
		}
	}
	vt.Run(t, cases)
}

// TestCreateOnFrozen: on a frozen superblock the create family waits
// for the thaw even when the name exists. Linux's filename_create() and
// open_last_lookups() call mnt_want_write(), whose sb_start_write()
// sleeps while the superblock is frozen, before the lookup; so the
// lookup's EEXIST comes only after FITHAW, as does a create.
func TestCreateOnFrozen(t *testing.T) {
	rows := []struct {
		name string
		op   func(tk *Task) error
		want Errno
	}{
		{"mkdir existing", func(tk *Task) error { return tk.Mkdir("/e/dir", 0o755) }, EEXIST},
		{"mkdir new", func(tk *Task) error { return tk.Mkdir("/e/new", 0o755) }, 0},
		{"symlink existing", func(tk *Task) error { return tk.Symlink("x", "/e/f") }, EEXIST},
		{"open excl existing", func(tk *Task) error {
			fd, err := tk.Open("/e/f", O_RDONLY|O_CREAT|O_EXCL, 0o644)
			if err == nil {
				tk.Close(fd)
			}
			return err
		}, EEXIST},
	}
	for _, r := range rows {
		t.Run(strings.ReplaceAll(r.name, " ", "_"), func(t *testing.T) {
			e := vt.New(t)
			e.Fixture()
			// billyfs: tmpfs cannot be frozen (no ->freeze_fs).
			e.Must(e.Root.Mount("none", "/e", "billyfs", 0, "store=mem"))
			e.WriteFile("/e/f", "x", 0o644)
			e.Must(e.Root.Mkdir("/e/dir", 0o755))
			e.Must(e.Root.Freeze("/e"))
			tk := e.Root.Fork("creator")
			done := make(chan error, 1)
			go func() { done <- r.op(tk) }()
			// Let the creator run until it blocks (wasm has no
			// preemption), then a little longer.
			for range 100 {
				runtime.Gosched()
			}
			select {
			case err := <-done:
				t.Fatalf("finished while frozen: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
			e.Must(e.Root.Thaw("/e"))
			if err := <-done; ErrnoOf(err) != r.want {
				t.Fatalf("after thaw: got %s, want %s", vt.Name(err), vt.Name(r.want))
			}
			tk.Exit()
		})
	}
}
