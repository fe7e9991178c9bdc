package vfs_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDelegationBrokenByXattrWrite: setxattr and removexattr (and their
// f forms) from another task break a delegation on the file, as Linux's
// __vfs_setxattr_locked and __vfs_removexattr_locked call
// try_break_deleg under i_rwsem, and vfs_setxattr and vfs_removexattr
// drop it, break_deleg_wait and retry. The permission checks come
// first: a task refused by xattr_permission, or by commoncap for
// security.capability, recalls nobody's delegation. An unknown namespace
// is refused by the handler lookup, after the break.
func TestDelegationBrokenByXattrWrite(t *testing.T) {
	asUser := func(b *vfs.Task) { b.SetCred(&vfs.Cred{UID: 1000, GID: 1000}) }
	fset := func(b *vfs.Task, name string) error {
		fd, err := b.Open("/a", vfs.O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer b.Close(fd)
		return b.Fsetxattr(fd, name, []byte("2"), 0)
	}
	fremove := func(b *vfs.Task, name string) error {
		fd, err := b.Open("/a", vfs.O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer b.Close(fd)
		return b.Fremovexattr(fd, name)
	}
	cases := []struct {
		name   string
		cred   func(b *vfs.Task) // of the breaker; root when nil
		op     func(b *vfs.Task) error
		keep   bool // the holder keeps the delegation: the break time passes
		want   error
		breaks int32
		// attr is user.x on /a after: its value, or "" for gone.
		attr string
	}{
		{"setxattr", nil, func(b *vfs.Task) error { return b.Setxattr("/a", "user.x", []byte("2"), 0) }, false, nil, 1, "2"},
		{"setxattr, break time passes", nil, func(b *vfs.Task) error { return b.Setxattr("/a", "user.x", []byte("2"), 0) }, true, nil, 1, "2"},
		{"lsetxattr", nil, func(b *vfs.Task) error { return b.Lsetxattr("/a", "user.x", []byte("2"), 0) }, false, nil, 1, "2"},
		{"fsetxattr", nil, func(b *vfs.Task) error { return fset(b, "user.x") }, false, nil, 1, "2"},
		{"removexattr", nil, func(b *vfs.Task) error { return b.Removexattr("/a", "user.x") }, false, nil, 1, ""},
		{"removexattr, break time passes", nil, func(b *vfs.Task) error { return b.Removexattr("/a", "user.x") }, true, nil, 1, ""},
		{"fremovexattr", nil, func(b *vfs.Task) error { return fremove(b, "user.x") }, false, nil, 1, ""},
		{"removexattr of a missing name", nil, func(b *vfs.Task) error { return b.Removexattr("/a", "user.none") }, false, vfs.ENODATA, 1, "1"},
		{"setxattr of an unknown namespace", nil, func(b *vfs.Task) error { return b.Setxattr("/a", "bogus.x", []byte("2"), 0) }, false, vfs.EOPNOTSUPP, 1, "1"},
		{"setxattr by non-writer", asUser, func(b *vfs.Task) error { return b.Setxattr("/a", "user.x", []byte("2"), 0) }, false, vfs.EACCES, 0, "1"},
		{"removexattr by non-writer", asUser, func(b *vfs.Task) error { return b.Removexattr("/a", "user.x") }, false, vfs.EACCES, 0, "1"},
		{"setxattr trusted by the incapable", asUser, func(b *vfs.Task) error { return b.Setxattr("/a", "trusted.x", []byte("2"), 0) }, false, vfs.EPERM, 0, "1"},
		{"removexattr security.capability by the incapable", asUser, func(b *vfs.Task) error {
			return b.Removexattr("/a", vfs.XATTR_NAME_CAPS)
		}, false, vfs.EPERM, 0, "1"},
	}
	const breakTime = 400 * time.Millisecond
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/a", "a", 0o644)
			e.Must(tk.Setxattr("/a", "user.x", []byte("1"), 0))
			e.V.SetLeaseBreakTime(breakTime)
			b := tk.Fork("breaker")
			defer b.Exit()
			if c.cred != nil {
				c.cred(b)
			}
			f, err := tk.OpenFile(vfs.AT_FDCWD, "/a", vfs.O_RDONLY, 0)
			e.Must(err)
			var breaks atomic.Int32
			recalled := make(chan struct{}, 1)
			fl := &vfs.FileLock{Flags: vfs.FL_DELEG, Type: vfs.F_RDLCK, Owner: f, File: f, PID: tk.PID(), End: vfs.OFFSET_MAX,
				LMOps: &vfs.LockManagerOperations{
					// nfsd_break_deleg_cb: recall it, keep it
					// until the client returns it.
					Break: func(_ *vfs.Task, fl *vfs.FileLock) bool {
						breaks.Add(1)
						select {
						case recalled <- struct{}{}:
						default: // a second recall: the count says so
						}
						return false
					},
					Change: vfs.LeaseModify,
				}}
			e.Must(tk.GenericSetlease(f, vfs.F_RDLCK, fl))
			holderDone := make(chan struct{})
			stop := make(chan struct{})
			go func() {
				defer close(holderDone)
				select {
				case <-recalled:
					if !c.keep {
						e.Must(tk.GenericSetlease(f, vfs.F_UNLCK, nil))
					}
				case <-stop:
				}
			}()
			start := time.Now()
			err = c.op(b)
			took := time.Since(start)
			close(stop)
			<-holderDone
			if err != c.want && !(c.want == nil && err == nil) {
				t.Errorf("got %v, want %v", err, c.want)
			}
			if n := breaks.Load(); n != c.breaks {
				t.Errorf("->lm_break called %d times, want %d", n, c.breaks)
			}
			if c.keep && took < breakTime {
				t.Errorf("took %v, want the operation to wait the break time %v", took, breakTime)
			}
			if !c.keep && took >= breakTime {
				t.Errorf("took %v, the whole break time %v", took, breakTime)
			}
			v, err := tk.Getxattr("/a", "user.x")
			switch {
			case c.attr == "" && err != vfs.ENODATA:
				t.Errorf("user.x after: %q, %v, want ENODATA", v, err)
			case c.attr != "" && (err != nil || string(v) != c.attr):
				t.Errorf("user.x after: %q, %v, want %q", v, err, c.attr)
			}
			vfs.FputForTest(tk, f)
		})
	}
}
