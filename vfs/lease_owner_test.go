package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// delegation stands for a lock manager's own lease owner (nfsd's
// struct nfs4_delegation), a pointer as fl_owner_t is.
type delegation struct{ client int }

// TestGenericSetleaseUnlockOwner: generic_setlease(filp, F_UNLCK, NULL,
// priv) removes the lease whose owner is *priv (fs/locks.c
// generic_delete_lease matches flc_file and flc_owner), so a lock
// manager that took a lease owned by its delegation can give it back;
// fcntl passes the file itself.
func TestGenericSetleaseUnlockOwner(t *testing.T) {
	deleg, other := &delegation{1}, &delegation{2}
	tests := []struct {
		name string
		// owner of the lease taken; nil: the file.
		owner any
		// unlock is the owner F_UNLCK names: nil passes no lease (the
		// file's own), self passes a lease owned by the file.
		unlock  any
		self    bool
		wantErr error
		after   string
	}{
		{"manager's lease, its owner", deleg, deleg, false, nil, ""},
		{"manager's lease, another owner", deleg, other, false, vfs.EAGAIN, "LEASE READ 0-EOF"},
		{"manager's lease, the file's unlock", deleg, nil, false, vfs.EAGAIN, "LEASE READ 0-EOF"},
		{"file's lease, no lease passed", nil, nil, false, nil, ""},
		{"file's lease, lease owned by the file", nil, nil, true, nil, ""},
		{"file's lease, a manager's owner", nil, deleg, false, vfs.EAGAIN, "LEASE READ 0-EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := vfstest.New(t)
			tk := e.Root
			e.WriteFile("/f", "x", 0o644)
			rf, err := tk.OpenFile(vfs.AT_FDCWD, "/f", vfs.O_RDONLY, 0)
			e.Must(err)
			defer vfs.FputForTest(tk, rf)
			var owner any = rf
			if tc.owner != nil {
				owner = tc.owner
			}
			fl := &vfs.FileLock{Flags: vfs.FL_LEASE, Type: vfs.F_RDLCK, Owner: owner, File: rf, PID: tk.PID(),
				End: vfs.OFFSET_MAX, LMOps: &vfs.LockManagerOperations{
					Break:  func(t *vfs.Task, fl *vfs.FileLock) bool { return false },
					Change: vfs.LeaseModify,
				}}
			e.Must(tk.GenericSetlease(rf, vfs.F_RDLCK, fl))
			var unlock *vfs.FileLock
			switch {
			case tc.self:
				unlock = &vfs.FileLock{Owner: rf}
			case tc.unlock != nil:
				unlock = &vfs.FileLock{Owner: tc.unlock}
			}
			if err := tk.GenericSetlease(rf, vfs.F_UNLCK, unlock); err != tc.wantErr {
				t.Errorf("GenericSetlease(F_UNLCK): %v, want %v", err, tc.wantErr)
			}
			if got := lockLayout(t, tk, "/f"); got != tc.after {
				t.Errorf("leases after: %q, want %q", got, tc.after)
			}
		})
	}
}
