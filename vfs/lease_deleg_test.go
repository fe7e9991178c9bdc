package vfs_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDelegationBrokenByNamespaceOps: a delegation (FL_DELEG, as nfsd
// hands out) is broken by a chmod, link, rename or unlink of its file
// from another task, as Linux's notify_change, vfs_link, vfs_rename and
// vfs_unlink do (try_break_deleg: __break_lease(inode, O_WRONLY|
// O_NONBLOCK, FL_DELEG), then, unlocked, break_deleg_wait and a retry).
// Each delegation's ->lm_break is called once; the operation waits for
// the holder to return the delegation, or for the break time to pass,
// and then succeeds.
func TestDelegationBrokenByNamespaceOps(t *testing.T) {
	ops := []struct {
		name string
		// delegs are the files delegated.
		delegs []string
		op     func(b *vfs.Task) error
	}{
		{"chmod", []string{"/a"}, func(b *vfs.Task) error { return b.Chmod("/a", 0o600) }},
		{"link", []string{"/a"}, func(b *vfs.Task) error { return b.Link("/a", "/a2") }},
		{"rename source", []string{"/a"}, func(b *vfs.Task) error { return b.Rename("/a", "/c") }},
		{"rename target", []string{"/a"}, func(b *vfs.Task) error { return b.Rename("/b", "/a") }},
		{"rename exchange", []string{"/a", "/b"}, func(b *vfs.Task) error {
			return b.Renameat2(vfs.AT_FDCWD, "/a", vfs.AT_FDCWD, "/b", vfs.RENAME_EXCHANGE)
		}},
		{"unlink", []string{"/a"}, func(b *vfs.Task) error { return b.Unlink("/a") }},
	}
	const breakTime = 400 * time.Millisecond
	for _, o := range ops {
		for _, release := range []bool{true, false} {
			name := fmt.Sprintf("%s, break time passes", o.name)
			if release {
				name = fmt.Sprintf("%s, holder returns it", o.name)
			}
			t.Run(name, func(t *testing.T) {
				e := vfstest.New(t)
				tk := e.Root
				e.WriteFile("/a", "a", 0o644)
				e.WriteFile("/b", "b", 0o644)
				e.V.SetLeaseBreakTime(breakTime)
				b := tk.Fork("breaker")
				defer b.Exit()
				var breaks atomic.Int32
				recalls := make(chan *vfs.File, len(o.delegs))
				var files []*vfs.File
				for _, p := range o.delegs {
					f, err := tk.OpenFile(vfs.AT_FDCWD, p, vfs.O_RDONLY, 0)
					e.Must(err)
					files = append(files, f)
					fl := &vfs.FileLock{Flags: vfs.FL_DELEG, Type: vfs.F_RDLCK, Owner: f, File: f, PID: tk.PID(), End: vfs.OFFSET_MAX,
						LMOps: &vfs.LockManagerOperations{
							// nfsd_break_deleg_cb: recall it,
							// keep it until the client returns it.
							Break: func(_ *vfs.Task, fl *vfs.FileLock) bool {
								breaks.Add(1)
								recalls <- fl.File
								return false
							},
							Change: vfs.LeaseModify,
						}}
					e.Must(tk.GenericSetlease(f, vfs.F_RDLCK, fl))
				}
				holderDone := make(chan struct{})
				go func() {
					defer close(holderDone)
					if !release {
						return
					}
					for range o.delegs {
						select {
						case f := <-recalls:
							e.Must(tk.GenericSetlease(f, vfs.F_UNLCK, nil))
						case <-time.After(2 * breakTime):
							return // never recalled: the count says so
						}
					}
				}()
				start := time.Now()
				err := o.op(b)
				took := time.Since(start)
				<-holderDone
				if err != nil {
					t.Errorf("operation: %v, want success", err)
				}
				if n := int(breaks.Load()); n != len(o.delegs) {
					t.Errorf("->lm_break called %d times, want %d", n, len(o.delegs))
				}
				if release && took >= breakTime {
					t.Errorf("took %v with the delegation returned at once, want less than the break time %v", took, breakTime)
				}
				if !release && took < breakTime*time.Duration(len(o.delegs)) {
					t.Errorf("took %v, want the operation to wait the break time %v for each delegation", took, breakTime)
				}
				if got := procLocksText(tk); got != "" {
					t.Errorf("/proc/locks after: %q, want the delegations gone", got)
				}
				for _, f := range files {
					vfs.FputForTest(tk, f)
				}
			})
		}
	}
}
