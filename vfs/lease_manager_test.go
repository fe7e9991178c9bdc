package vfs_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// lmChanges counts a manager's ->lm_change calls by type.
type lmChanges struct {
	mu sync.Mutex // protects n; a leaf, taken inside flc_lock
	n  map[int16]int
}

func (c *lmChanges) add(typ int16) {
	c.mu.Lock()
	c.n[typ]++
	c.mu.Unlock()
}

func (c *lmChanges) get(typ int16) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[typ]
}

// refusingManager is a lock manager's lease (as nfsd's delegations)
// whose ->lm_change refuses the type refuse, as nfsd_change_deleg_cb
// refuses F_UNLCK while it recalls the delegation itself.
func refusingManager(refuse int16, changes *lmChanges) *vfs.LockManagerOperations {
	return &vfs.LockManagerOperations{
		Break: func(t *vfs.Task, fl *vfs.FileLock) bool { return false },
		Change: func(t *vfs.Task, fl *vfs.FileLock, arg int16, dispose *[]*vfs.FileLock) error {
			changes.add(arg)
			if arg == refuse {
				return vfs.EAGAIN
			}
			return vfs.LeaseModify(t, fl, arg, dispose)
		},
	}
}

// TestLeaseTimeoutAndCloseBypassLMChange: a lease whose break time has
// passed, and a lease whose file has its last close, are modified by
// lease_modify() itself, never through ->lm_change (fs/locks.c:
// time_out_leases and locks_remove_lease call lease_modify(fl, ...)
// directly), so a manager that refuses the change can neither keep a
// breaker waiting for ever nor keep a lease on a closed file.
func TestLeaseTimeoutAndCloseBypassLMChange(t *testing.T) {
	tests := []struct {
		name      string
		leaseType int16
		// lastClose says the lease's file has its last close; else a
		// breaker opens the file with flags open.
		lastClose bool
		open      int
		// refuse is the type the manager's ->lm_change refuses.
		refuse int16
		// after is the lease left on the file ("" for none).
		after string
	}{
		{"break time passes, writer", vfs.F_RDLCK, false, vfs.O_WRONLY, vfs.F_UNLCK, ""},
		{"downgrade time passes, reader", vfs.F_WRLCK, false, vfs.O_RDONLY, vfs.F_RDLCK, "LEASE READ 0-EOF"},
		{"last close of a read lease's file", vfs.F_RDLCK, true, 0, vfs.F_UNLCK, ""},
		{"last close of a write lease's file", vfs.F_WRLCK, true, 0, vfs.F_UNLCK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "x", 0o644)
			e.V.SetLeaseBreakTime(50 * time.Millisecond)
			b := tk.Fork("breaker")
			defer b.Exit()
			flags := vfs.O_RDONLY
			if tc.leaseType == vfs.F_WRLCK {
				flags = vfs.O_RDWR
			}
			lf, err := tk.OpenFile(vfs.AT_FDCWD, "/f", flags, 0)
			e.Must(err)
			changes := &lmChanges{n: map[int16]int{}}
			lease := &vfs.FileLock{Flags: vfs.FL_LEASE, Type: tc.leaseType, Owner: lf, File: lf, PID: tk.PID(),
				End: vfs.OFFSET_MAX, LMOps: refusingManager(tc.refuse, changes)}
			e.Must(tk.GenericSetlease(lf, tc.leaseType, lease))
			if tc.lastClose {
				vfs.FputForTest(tk, lf)
			} else {
				done := make(chan error, 1)
				go func() {
					fd, err := b.Open("/f", tc.open, 0)
					if err == nil {
						err = b.Close(fd)
					}
					done <- err
				}()
				select {
				case err := <-done:
					e.Must(err)
				case <-time.After(10 * time.Second):
					t.Fatalf("the opener still waits 10s after a break time of 50ms (->lm_change calls of type %d: %d)", tc.refuse, changes.get(tc.refuse))
				}
			}
			if n := changes.get(tc.refuse); n != 0 {
				t.Errorf("->lm_change called %d times with type %d, want lease_modify directly", n, tc.refuse)
			}
			if got := lockLayout(t, tk, "/f"); got != tc.after {
				t.Errorf("leases after: %q, want %q", got, tc.after)
			}
			if !tc.lastClose {
				vfs.FputForTest(tk, lf)
			}
		})
	}
}

// TestDelegations: a delegation (FL_DELEG, nfsd's) leaves the check
// for conflicting opens to its caller (fs/locks.c
// check_conflicting_open returns 0 for FL_DELEG and FL_LAYOUT), and
// /proc/locks shows it as "DELEG  ACTIVE    READ" (lock_get_status).
func TestDelegations(t *testing.T) {
	tests := []struct {
		name string
		// openForWrite opens the file for writing elsewhere first.
		openForWrite bool
		// locked: another task holds the inode's i_rwsem meanwhile
		// (generic_add_lease's inode_trylock for a delegation).
		locked   bool
		flags    uint32
		wantErr  error
		wantProc string
	}{
		{"delegation, no writer", false, false, vfs.FL_DELEG, nil, "DELEG  ACTIVE    READ "},
		{"delegation, open for writing elsewhere", true, false, vfs.FL_DELEG, nil, "DELEG  ACTIVE    READ "},
		{"delegation, i_rwsem held", false, true, vfs.FL_DELEG, vfs.EAGAIN, ""},
		{"lease, no writer", false, false, vfs.FL_LEASE, nil, "LEASE  ACTIVE    READ "},
		{"lease, open for writing elsewhere", true, false, vfs.FL_LEASE, vfs.EAGAIN, ""},
		{"lease, i_rwsem held", false, true, vfs.FL_LEASE, nil, "LEASE  ACTIVE    READ "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "x", 0o644)
			if tc.openForWrite {
				wfd, err := tk.Open("/f", vfs.O_WRONLY, 0)
				e.Must(err)
				defer tk.Close(wfd)
			}
			rf, err := tk.OpenFile(vfs.AT_FDCWD, "/f", vfs.O_RDONLY, 0)
			e.Must(err)
			defer vfs.FputForTest(tk, rf)
			fl := &vfs.FileLock{Flags: tc.flags, Type: vfs.F_RDLCK, Owner: rf, File: rf, PID: tk.PID(), End: vfs.OFFSET_MAX,
				LMOps: &vfs.LockManagerOperations{
					Break:  func(t *vfs.Task, fl *vfs.FileLock) bool { return false },
					Change: vfs.LeaseModify,
				}}
			if tc.locked {
				other := tk.Fork("holder")
				defer other.Exit()
				rf.Inode().RwsemLock(other)
				defer rf.Inode().RwsemUnlock(other)
			}
			if err := tk.GenericSetlease(rf, vfs.F_RDLCK, fl); err != tc.wantErr {
				t.Fatalf("GenericSetlease: %v, want %v", err, tc.wantErr)
			}
			got := procLocksText(tk)
			if tc.wantProc == "" {
				if got != "" {
					t.Errorf("/proc/locks %q, want empty", got)
				}
				return
			}
			if !strings.HasPrefix(got, "1: "+tc.wantProc) || strings.Count(got, "\n") != 1 {
				t.Errorf("/proc/locks %q, want one line %q...", got, "1: "+tc.wantProc)
			}
		})
	}
}
