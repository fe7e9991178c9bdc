package vfs_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestIgetLockedAllocMaySleep: ->alloc_inode may sleep (it has no "may
// block: no" in locking.rst), so iget_locked calls it with
// inode_hash_lock dropped. The filesystem here takes a sleeping lock in
// ->alloc_inode; two tasks race for the same inode numbers. The
// validator must report nothing, both tasks must get the same inode for
// each number, and every inode allocated by a loser of the race must be
// destroyed.
func TestIgetLockedAllocMaySleep(t *testing.T) {
	var sleeping *vfs.Inode // set after the mount: its i_rwsem is a sleeping lock
	var allocs, destroys atomic.Int64
	sops := &vfs.SuperOperations{
		AllocInode: func(t *vfs.Task, _ *vfs.SuperBlock) *vfs.Inode {
			if sleeping != nil {
				sleeping.RwsemLockShared(t)
				sleeping.RwsemUnlockShared(t)
			}
			allocs.Add(1)
			return &vfs.Inode{}
		},
		DestroyInode: func(t *vfs.Task, _ *vfs.Inode) { destroys.Add(1) },
	}
	v, tk, sb := mountInodeFS(t, "igetprobe", sops)
	sleeping = v.RootMount().Root().Inode()
	base := allocs.Load()

	const n = 200
	got := [2][n]*vfs.Inode{}
	var wg sync.WaitGroup
	for w := range 2 {
		task := tk.Fork("iget")
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer task.Exit()
			for k := range n {
				in, isNew := vfs.IgetLocked(task, sb, uint64(1000+k))
				if isNew {
					in.SetModeType(vfs.S_IFREG | 0o644)
					vfs.UnlockNewInode(task, in)
				}
				got[w][k] = in
			}
		}()
	}
	wg.Wait()
	for k := range n {
		if got[0][k] != got[1][k] {
			t.Fatalf("ino %d: the two tasks got different inodes", 1000+k)
		}
	}
	if live := allocs.Load() - base - destroys.Load(); live != n {
		t.Errorf("%d allocations, %d destroyed: %d live inodes, want %d", allocs.Load()-base, destroys.Load(), live, n)
	}
	for w := range 2 {
		for k := range n {
			vfs.Iput(tk, got[w][k])
		}
	}
	if r := v.Validator().Reports(); len(r) != 0 {
		t.Fatalf("validator reports:\n%v", r)
	}
}
