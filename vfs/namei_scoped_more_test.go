package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestResolveInRootRenameTwoDirs: under RESOLVE_IN_ROOT an absolute path
// starts at its own descriptor, so a rename between two descriptors with
// absolute paths (/x in A to /y in B) moves into B: the shortcut that
// shares one parent walk for names with the same parent text must not
// take two descriptors' absolute paths for one place.
func TestResolveInRootRenameTwoDirs(t *testing.T) {
	e := vt.New(t)
	r := e.Root
	e.Must(r.Mkdir("/a", 0o755))
	e.Must(r.Mkdir("/b", 0o755))
	e.WriteFile("/a/x", "x", 0o644)
	tk := r.Fork("scoped")
	defer tk.Exit()
	a, err := tk.Open("/a", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	b, err := tk.Open("/b", O_RDONLY|O_DIRECTORY, 0)
	e.Must(err)
	e.Must(tk.SetResolve(RESOLVE_IN_ROOT))
	e.Must(tk.Renameat2(a, "/x", b, "/y", 0))
	if !e.Exists("/b/y") || e.Exists("/a/y") || e.Exists("/a/x") {
		t.Errorf("renameat(A, /x, B, /y) under IN_ROOT: /b/y %v, /a/y %v, /a/x %v; want only /b/y",
			e.Exists("/b/y"), e.Exists("/a/y"), e.Exists("/a/x"))
	}
}

// TestResolveScopedFinalCheck: a scoped walk whose directory is moved out
// of its root while the walk is inside it (paused here in ->permission
// of /sb/a/b, while /sb/a goes to /out/a) does not hand back what it
// reached: complete_walk's final path_is_under fails it with EXDEV.
func TestResolveScopedFinalCheck(t *testing.T) {
	for _, how := range []uint64{RESOLVE_BENEATH, RESOLVE_IN_ROOT} {
		e := vt.New(t)
		r := e.Root
		for _, d := range []string{"/sb", "/sb/a", "/sb/a/b", "/out"} {
			e.Must(r.Mkdir(d, 0o755))
		}
		e.WriteFile("/sb/a/b/f", "was inside", 0o644)
		e.Must(r.Chmod("/sb/a/b", 0o700)) // not everyone may search: ->permission runs
		p, err := r.LookupDentryForTest("/sb/a/b")
		e.Must(err)
		in := p.Dentry.Inode()
		p.Put(r)
		ops := *in.Ops
		paused, resume := make(chan struct{}), make(chan struct{})
		armed := true
		ops.Permission = func(t *Task, inode *Inode, mask int) error {
			if mask&MAY_NOT_BLOCK != 0 {
				return ECHILD
			}
			if armed {
				armed = false
				close(paused)
				<-resume
			}
			return nil
		}
		in.Ops = &ops
		tk := r.Fork("scoped")
		dfd, err := tk.Open("/sb", O_RDONLY|O_DIRECTORY, 0)
		e.Must(err)
		e.Must(tk.SetResolve(how))
		res := make(chan error, 1)
		go func() {
			fd, err := tk.Openat(dfd, "a/b/f", O_RDONLY, 0)
			if err == nil {
				tk.Close(fd)
			}
			res <- err
		}()
		<-paused
		e.Must(r.Rename("/sb/a", "/out/a"))
		close(resume)
		if err := <-res; err != EXDEV {
			t.Errorf("resolve %#x: openat(/sb, a/b/f) with /sb/a moved out mid-walk: %v, want EXDEV", how, err)
		}
		tk.Close(dfd)
		tk.Exit()
	}
}
