package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// symlinkChain makes dir/c1 -> c0, dir/c2 -> c1, ... dir/cn -> c(n-1);
// dir/c0 does not exist.
func symlinkChain(dir string, n int) func(e *vt.Env) {
	return func(e *vt.Env) {
		e.TB.Helper()
		for i := 1; i <= n; i++ {
			e.Must(e.Root.Symlink("c"+itoa(i-1), dir+"/c"+itoa(i)))
		}
	}
}

// TestOpenCreatSymlink: O_CREAT through a symlink at the last component.
// Linux's path_openat() keeps one nameidata across the links it follows
// there (open_last_lookups → step_into → pick_link, then link_path_walk
// of the body from the link's directory): every link of the whole open,
// in the parent path and at the end, counts against MAXSYMLINKS (40,
// nd->total_link_count, ELOOP past it), and a relative body is walked
// from where the link is, not re-walked as one long string, so it is not
// held to PATH_MAX together with the path that led to it.
func TestOpenCreatSymlink(t *testing.T) {
	long := strings.Repeat("a", 200)
	deep := "/d/real"
	for range 20 {
		deep += "/" + long
	}
	mkDeep := func(e *vt.Env) {
		e.TB.Helper()
		p := "/d/real"
		for range 20 {
			p += "/" + long
			e.Must(e.Root.Mkdir(p, 0o755))
		}
	}
	base := func(e *vt.Env) {
		e.Must(e.Root.Mkdir("/d/real", 0o755))
		e.Must(e.Root.Symlink("real", "/d/s"))
	}
	chain := func(n int) func(e *vt.Env) { return func(e *vt.Env) { base(e); symlinkChain("/d/real", n)(e) } }
	vt.Run(t, []vt.Case{
		{Name: "forty trailing links", Setup: chain(40),
			Op:    func(e *vt.Env) error { return openOnly(e, "/d/real/c40", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/d/real/c0", S_IFREG|0o644)},
		{Name: "forty one trailing links", Setup: chain(41),
			Op: func(e *vt.Env) error { return openOnly(e, "/d/real/c41", O_CREAT|O_WRONLY, 0o644) }, Want: ELOOP,
			Check: wantAbsent("/d/real/c0")},
		{Name: "a link in the parent counts too", Setup: chain(40),
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/c40", O_CREAT|O_WRONLY, 0o644) }, Want: ELOOP,
			Check: wantAbsent("/d/real/c0")},
		{Name: "thirty nine after one in the parent", Setup: chain(39),
			Op:    func(e *vt.Env) error { return openOnly(e, "/d/s/c39", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/d/real/c0", S_IFREG|0o644)},
		{Name: "relative body deep down", Setup: func(e *vt.Env) {
			base(e)
			mkDeep(e)
			e.Must(e.Root.Symlink(strings.Repeat("b", 250), deep+"/dl"))
		}, Op: func(e *vt.Env) error { return openOnly(e, deep+"/dl", O_CREAT|O_WRONLY, 0o644) },
			Check: func(e *vt.Env) {
				// The full name is past PATH_MAX: look from inside.
				e.Must(e.Root.Chdir(deep))
				wantMode(strings.Repeat("b", 250), S_IFREG|0o644)(e)
			}},
		{Name: "dotdot body deep down", Setup: func(e *vt.Env) {
			base(e)
			mkDeep(e)
			e.Must(e.Root.Symlink(strings.Repeat("../", 60)+"tgt", deep+"/dl2"))
		}, Op: func(e *vt.Env) error { return openOnly(e, deep+"/dl2", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/tgt", S_IFREG|0o644)},
		{Name: "absolute body", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("/e/new", "/d/real/abs")) },
			Op:    func(e *vt.Env) error { return openOnly(e, "/d/s/abs", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/e/new", S_IFREG|0o644)},
		{Name: "body with a trailing slash", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("nothere/", "/d/real/ts")) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/ts", O_CREAT|O_WRONLY, 0o644) }, Want: EISDIR,
			Check: wantAbsent("/d/real/nothere")},
		{Name: "body through a link to a dir", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("../s/x", "/d/real/via")) },
			Op:    func(e *vt.Env) error { return openOnly(e, "/d/s/via", O_CREAT|O_WRONLY, 0o644) },
			Check: wantMode("/d/real/x", S_IFREG|0o644)},
		{Name: "body to an existing file", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("../f", "/d/real/tof")) },
			Op:    func(e *vt.Env) error { return openOnly(e, "/d/s/tof", O_CREAT|O_RDONLY, 0o644) },
			Check: wantContent("/d/f", "hello")},
		{Name: "body to a dir", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("..", "/d/real/up")) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/up", O_CREAT|O_RDONLY, 0o644) }, Want: EISDIR},
		{Name: "body into a missing dir", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("nope/x", "/d/real/md")) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/md", O_CREAT|O_WRONLY, 0o644) }, Want: ENOENT},
		{Name: "nofollow", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("x", "/d/real/nf")) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/nf", O_CREAT|O_WRONLY|O_NOFOLLOW, 0o644) }, Want: ELOOP,
			Check: wantAbsent("/d/real/x")},
		{Name: "excl", Setup: func(e *vt.Env) { base(e); e.Must(e.Root.Symlink("x", "/d/real/ex")) },
			Op: func(e *vt.Env) error { return openOnly(e, "/d/s/ex", O_CREAT|O_WRONLY|O_EXCL, 0o644) }, Want: EEXIST,
			Check: wantAbsent("/d/real/x")},
	})
}
