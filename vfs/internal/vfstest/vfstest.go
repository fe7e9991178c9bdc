// Package vfstest holds helpers for the vfs package's table tests: a
// booted VFS with the lock validator on, a standard fixture tree, and the
// end-of-test check that the validator and the locking tables saw nothing
// wrong. Test code only; standard library (and vfscope) only, so the tests
// that use it build for GOOS=wasip1 and GOOS=js.
package vfstest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// Env is one booted VFS and its root task.
type Env struct {
	TB   testing.TB
	V    *vfs.VFS
	Root *vfs.Task
	// T is the task the operation under test runs as: Root unless the
	// case switched identity with As.
	T *vfs.Task
}

// RootFSEnv names the environment variable that picks the root
// filesystem of the VFS New boots: TYPE or TYPE:OPTIONS, for example
// "billyfs:store=mem" to run the operation tables on billyfs. Unset:
// tmpfs.
const RootFSEnv = "VFSCOPE_TEST_ROOTFS"

// New boots a VFS (tmpfs at /, or what $VFSCOPE_TEST_ROOTFS says; /tmp
// sticky) with the validator on and registers the end-of-test check.
func New(tb testing.TB) *Env {
	tb.Helper()
	fstype, data := "tmpfs", "mode=755"
	if r := os.Getenv(RootFSEnv); r != "" {
		fstype, data, _ = strings.Cut(r, ":")
	}
	v, tk, err := boot.NewRoot(vfs.Options{Lockdep: true}, fstype, data)
	if err != nil {
		tb.Fatal(err)
	}
	e := &Env{TB: tb, V: v, Root: tk, T: tk}
	tb.Cleanup(e.Check)
	// Stop the flusher so no goroutine outlives the test.
	tb.Cleanup(v.Shutdown)
	return e
}

// Check fails the test if the lock validator has reports or a
// filesystem method was called without the locks locking.rst lists.
func (e *Env) Check() {
	e.TB.Helper()
	if val := e.V.Validator(); val != nil {
		if r := val.Reports(); len(r) > 0 {
			e.TB.Errorf("lock validator reports:\n%v", r)
		}
	}
	if r := e.V.LockingViolations(); len(r) > 0 {
		e.TB.Errorf("locking violations:\n%v", r)
	}
}

// As returns a task forked from root with the given identity and makes
// it the current task e.T.
func (e *Env) As(uid, gid uint32, groups ...uint32) *vfs.Task {
	t := e.Root.Fork(fmt.Sprintf("uid%d", uid))
	t.SetCred(&vfs.Cred{UID: uid, GID: gid, Groups: groups})
	e.T = t
	e.TB.Cleanup(t.Exit)
	return t
}

// Must fails the test now on a non-nil error.
func (e *Env) Must(err error) {
	e.TB.Helper()
	if err != nil {
		e.TB.Fatalf("unexpected error: %v (%s)", err, vfs.ErrnoOf(err).Name())
	}
}

// Fixture builds the standard tree, as root:
//
//	/d           0755 dir
//	/d/f         0644 "hello"
//	/d/sub       0755 dir
//	/d/sub/g     0644 "g"
//	/d/l      -> f
//	/d/ld     -> sub
//	/d/dangle -> nothere
//	/e           0755 empty dir
//	/priv        0700 dir, /priv/x 0644 "x"
func (e *Env) Fixture() {
	e.TB.Helper()
	t := e.Root
	e.Must(t.Mkdir("/d", 0o755))
	e.WriteFile("/d/f", "hello", 0o644)
	e.Must(t.Mkdir("/d/sub", 0o755))
	e.WriteFile("/d/sub/g", "g", 0o644)
	e.Must(t.Symlink("f", "/d/l"))
	e.Must(t.Symlink("sub", "/d/ld"))
	e.Must(t.Symlink("nothere", "/d/dangle"))
	e.Must(t.Mkdir("/e", 0o755))
	e.Must(t.Mkdir("/priv", 0o700))
	e.WriteFile("/priv/x", "x", 0o644)
}

// WriteFile creates (or truncates) path as root with data and mode
// (exactly, whatever the umask).
func (e *Env) WriteFile(path, data string, mode uint32) {
	e.TB.Helper()
	t := e.Root
	fd, err := t.Open(path, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, mode)
	e.Must(err)
	if data != "" {
		n, err := t.Write(fd, []byte(data))
		e.Must(err)
		if n != len(data) {
			e.TB.Fatalf("short write %d of %d", n, len(data))
		}
	}
	e.Must(t.Close(fd))
	e.Must(t.Chmod(path, mode))
}

// ReadFile returns the content of path, read by the current task.
func (e *Env) ReadFile(path string) (string, error) {
	t := e.T
	fd, err := t.Open(path, vfs.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer t.Close(fd)
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, err := t.Read(fd, buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String(), err
		}
		if n == 0 {
			return out.String(), nil
		}
	}
}

// Stat stats path as root, failing the test on error.
func (e *Env) Stat(path string) vfs.Stat {
	e.TB.Helper()
	var st vfs.Stat
	e.Must(e.Root.Stat(path, &st))
	return st
}

// Lstat is Stat without following a last symlink.
func (e *Env) Lstat(path string) vfs.Stat {
	e.TB.Helper()
	var st vfs.Stat
	e.Must(e.Root.Lstat(path, &st))
	return st
}

// Exists reports whether path resolves (lstat) for root.
func (e *Env) Exists(path string) bool {
	var st vfs.Stat
	return e.Root.Lstat(path, &st) == nil
}

// Names lists a directory through getdents64, without "." and "..",
// sorted.
func (e *Env) Names(path string) ([]string, error) {
	t := e.Root
	fd, err := t.Open(path, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer t.Close(fd)
	var names []string
	for {
		ents, err := t.Getdents(fd, 4096)
		if err != nil {
			return names, err
		}
		if len(ents) == 0 {
			break
		}
		for _, d := range ents {
			if d.Name != "." && d.Name != ".." {
				names = append(names, d.Name)
			}
		}
	}
	sortStrings(names)
	return names, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Name renders an error as its errno name ("OK" for nil).
func Name(err error) string {
	if err == nil {
		return "OK"
	}
	return vfs.ErrnoOf(err).Name()
}

// Case is one row of an operation table: Setup (optional) prepares the
// fixture, Op runs the call under test and returns its error, Want is
// the errno the Linux man page gives (0 for success), and Check
// (optional) verifies the state afterwards.
type Case struct {
	Name  string
	Setup func(e *Env)
	Op    func(e *Env) error
	Want  vfs.Errno
	Check func(e *Env)
}

// Run runs every case as a subtest on a fresh VFS with the standard
// fixture, then the validator check.
func Run(t *testing.T, cases []Case) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(strings.ReplaceAll(c.Name, " ", "_"), func(t *testing.T) {
			e := New(t)
			e.Fixture()
			if c.Setup != nil {
				c.Setup(e)
			}
			err := c.Op(e)
			if got := vfs.ErrnoOf(err); got != c.Want {
				t.Fatalf("got %s (%v), want %s", Name(err), err, Name(errOrNil(c.Want)))
			}
			if c.Check != nil {
				c.Check(e)
			}
		})
	}
}

func errOrNil(e vfs.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
