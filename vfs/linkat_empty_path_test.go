package vfs_test

import (
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestLinkatEmptyPathDescriptor: linkat(2) with AT_EMPTY_PATH checks the
// descriptor's opener (LOOKUP_LINKAT_EMPTY, Linux 6.10) only where the
// walk starts at it. Checked against Linux 6.18: an absolute name
// starts at the root, and Linux looks at no descriptor then, neither a
// foreign nor a closed one.
func TestLinkatEmptyPathDescriptor(t *testing.T) {
	// The user owns /tmp/f and holds a descriptor of dir opened with
	// other credentials (equal values, another Cred: f_cred is not
	// current_cred()).
	foreign := func(e *vt.Env, dir string) int {
		e.WriteFile("/tmp/f", "f", 0o644)
		e.Must(e.Root.Chown("/tmp/f", 1000, 1000))
		e.As(1000, 1000)
		fd := openT(e, dir, O_RDONLY|O_DIRECTORY)
		e.T.SetCred(&Cred{UID: 1000, GID: 1000})
		return fd
	}
	link := func(dir, old string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			return e.T.Linkat(foreign(e, dir), old, AT_FDCWD, "/tmp/h", AT_EMPTY_PATH)
		}
	}
	closed := func(old string) func(e *vt.Env) error {
		return func(e *vt.Env) error {
			foreign(e, "/")
			return e.T.Linkat(99, old, AT_FDCWD, "/tmp/h", AT_EMPTY_PATH)
		}
	}
	linked := checks(wantExists("/tmp/h"), wantNlink("/tmp/f", 2))
	vt.Run(t, []vt.Case{
		{Name: "absolute name, foreign descriptor", Op: link("/", "/tmp/f"), Check: linked},
		{Name: "absolute name, closed descriptor", Op: closed("/tmp/f"), Check: linked},
		{Name: "absolute name, closed descriptor, missing", Op: closed("/nope/f"), Want: ENOENT},
		{Name: "relative name, foreign descriptor", Op: link("/tmp", "f"), Want: ENOENT, Check: wantAbsent("/tmp/h")},
		{Name: "relative name, closed descriptor", Op: closed("f"), Want: EBADF},
		{Name: "empty name, closed descriptor", Op: closed(""), Want: EBADF},
		// getname's errors come before path_init's.
		{Name: "long name, closed descriptor", Op: closed(rep('x', PATH_MAX)), Want: ENAMETOOLONG},
		// Under RESOLVE_IN_ROOT an absolute name starts at the
		// descriptor: it is checked.
		{Name: "absolute name in root, foreign descriptor", Op: func(e *vt.Env) error {
			fd := foreign(e, "/")
			e.Must(e.T.SetResolve(RESOLVE_IN_ROOT))
			return e.T.Linkat(fd, "/tmp/f", AT_FDCWD, "/tmp/h", AT_EMPTY_PATH)
		}, Want: ENOENT},
		{Name: "absolute name in root, own descriptor", Op: func(e *vt.Env) error {
			foreign(e, "/")
			fd := openT(e, "/", O_RDONLY|O_DIRECTORY)
			e.Must(e.T.SetResolve(RESOLVE_IN_ROOT))
			return e.T.Linkat(fd, "/tmp/f", AT_FDCWD, "/tmp/h", AT_EMPTY_PATH)
		}, Check: linked},
	})
}
