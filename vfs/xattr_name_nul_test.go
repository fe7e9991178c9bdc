package vfs_test

import (
	"strings"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestXattrNameNUL: an xattr name is a C string, as a path is, so a NUL
// byte in it is EINVAL (checkNameNUL) for every call that takes one,
// checked with the name's length before the path walk. Accepted, it
// would store a name that listxattr's NUL-separated list splits in two.
// An empty name stays ERANGE.
func TestXattrNameNUL(t *testing.T) {
	const nul = "user.a\x00b"
	fd := func(e *vt.Env) int { return openT(e, "/d/f", O_RDONLY) }
	// listed checks the names on /d/f as root.
	listed := func(want string) func(e *vt.Env) {
		return func(e *vt.Env) {
			e.TB.Helper()
			names, err := e.Root.Listxattr("/d/f")
			e.Must(err)
			if got := strings.Join(names, ","); got != want {
				e.TB.Fatalf("listxattr: %q, want %q", got, want)
			}
		}
	}
	userA := func(e *vt.Env) { e.Must(e.Root.Setxattr("/d/f", "user.a", []byte("1"), 0)) }
	get := func(fn func(e *vt.Env) ([]byte, error)) func(e *vt.Env) error {
		return func(e *vt.Env) error { _, err := fn(e); return err }
	}
	vt.Run(t, []vt.Case{
		{Name: "setxattr", Op: func(e *vt.Env) error { return e.T.Setxattr("/d/f", nul, []byte("1"), 0) }, Want: EINVAL, Check: listed("")},
		{Name: "lsetxattr", Op: func(e *vt.Env) error { return e.T.Lsetxattr("/d/f", nul, []byte("1"), 0) }, Want: EINVAL, Check: listed("")},
		{Name: "fsetxattr", Op: func(e *vt.Env) error { return e.T.Fsetxattr(fd(e), nul, []byte("1"), 0) }, Want: EINVAL, Check: listed("")},
		{Name: "setxattr missing path", Op: func(e *vt.Env) error { return e.T.Setxattr("/d/nope", nul, []byte("1"), 0) }, Want: EINVAL},
		{Name: "setxattr NUL only", Op: func(e *vt.Env) error { return e.T.Setxattr("/d/f", "\x00", []byte("1"), 0) }, Want: EINVAL},
		{Name: "setxattr empty", Op: func(e *vt.Env) error { return e.T.Setxattr("/d/f", "", []byte("1"), 0) }, Want: ERANGE},
		{Name: "getxattr", Setup: userA, Op: get(func(e *vt.Env) ([]byte, error) { return e.T.Getxattr("/d/f", nul) }), Want: EINVAL},
		{Name: "lgetxattr", Setup: userA, Op: get(func(e *vt.Env) ([]byte, error) { return e.T.Lgetxattr("/d/f", nul) }), Want: EINVAL},
		{Name: "fgetxattr", Setup: userA, Op: get(func(e *vt.Env) ([]byte, error) { return e.T.Fgetxattr(fd(e), nul) }), Want: EINVAL},
		{Name: "removexattr", Setup: userA, Op: func(e *vt.Env) error { return e.T.Removexattr("/d/f", "user.a\x00") }, Want: EINVAL, Check: listed("user.a")},
		{Name: "lremovexattr", Setup: userA, Op: func(e *vt.Env) error { return e.T.Lremovexattr("/d/f", "user.a\x00") }, Want: EINVAL, Check: listed("user.a")},
		{Name: "fremovexattr", Setup: userA, Op: func(e *vt.Env) error { return e.T.Fremovexattr(fd(e), "user.a\x00") }, Want: EINVAL, Check: listed("user.a")},
	})
}
