package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestIgetLockedWaiterAfterIgetFailed: task A gets a new inode from
// IgetLocked, task B asks for the same number and sleeps while it is
// I_NEW. If A fills it in, B gets that inode; if A gives up
// (IgetFailed), the inode leaves the hash (make_bad_inode's
// remove_inode_hash) and B, waking to find it unhashed, drops it and
// looks again (iget_locked's inode_unhashed test): it gets a fresh I_NEW
// inode to fill in, never the one that failed. The failed inode is
// evicted once B lets it go.
func TestIgetLockedWaiterAfterIgetFailed(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    bool
		wantNew bool // B gets a new inode (else A's, filled in)
	}{
		{"filled in", false, false},
		{"iget_failed", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var evicted []*vfs.Inode
			sops := &vfs.SuperOperations{
				EvictInode: func(t *vfs.Task, in *vfs.Inode) {
					evicted = append(evicted, in)
					vfs.TruncateInodePagesFinal(t, in.Mapping())
				},
			}
			v, tk, sb := mountInodeFS(t, "igetfail", sops)
			const ino = 77
			a, isNew := vfs.IgetLocked(tk, sb, ino)
			if !isNew {
				t.Fatal("set-up: A's inode is not new")
			}
			type res struct {
				in    *vfs.Inode
				isNew bool
			}
			done := make(chan res)
			b := tk.Fork("B")
			go func() {
				defer b.Exit()
				in, isNew := vfs.IgetLocked(b, sb, ino)
				done <- res{in, isNew}
			}()
			// B holds a reference once it has found the I_NEW inode.
			waitInodeCond(t, "B to find the new inode", func() bool { return a.Count() == 2 })
			if tc.fail {
				vfs.IgetFailed(tk, a)
			} else {
				a.SetModeType(vfs.S_IFREG | 0o644)
				vfs.UnlockNewInode(tk, a)
			}
			r := <-done
			if r.isNew != tc.wantNew {
				t.Fatalf("B: isNew %v, want %v", r.isNew, tc.wantNew)
			}
			if tc.wantNew {
				if r.in == a {
					t.Fatal("B got the inode whose filling failed")
				}
				if len(evicted) != 1 || evicted[0] != a {
					t.Fatalf("evicted %v, want the failed inode", evicted)
				}
				r.in.SetModeType(vfs.S_IFREG | 0o600)
				vfs.UnlockNewInode(tk, r.in)
				// The number is now the new inode's.
				again, isNew := vfs.IgetLocked(tk, sb, ino)
				if isNew || again != r.in {
					t.Fatalf("IgetLocked after B filled in: new %v, same %v", isNew, again == r.in)
				}
				vfs.Iput(tk, again)
			} else {
				if r.in != a {
					t.Fatal("B got another inode than the one A filled in")
				}
				vfs.Iput(tk, a)
			}
			vfs.Iput(tk, r.in)
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
