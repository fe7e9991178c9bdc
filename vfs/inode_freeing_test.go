package vfs_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestIgetLockedSleepsOnFreeingInode: an IgetLocked that finds its
// number's inode being freed (I_FREEING) sleeps until evict has taken it
// out of the hash (__wait_on_freeing_inode) instead of retrying at once:
// while ->evict_inode sleeps, the waiter makes no retry; once eviction
// is done it makes one and gets a new inode. Spinning there would hold
// a CPU for the whole eviction, and under js/wasm, with no preemption,
// never let the evicting task finish.
func TestIgetLockedSleepsOnFreeingInode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sleep  time.Duration // how long ->evict_inode sleeps
		maxTry int64         // retries allowed to the waiter
	}{
		{"short eviction", 20 * time.Millisecond, 2},
		{"long eviction", 100 * time.Millisecond, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inEvict, evicted atomic.Bool
			release := make(chan struct{})
			sops := &vfs.SuperOperations{
				EvictInode: func(t *vfs.Task, in *vfs.Inode) {
					if in.Ino() == 99 {
						inEvict.Store(true)
						<-release
						evicted.Store(true)
					}
					vfs.TruncateInodePagesFinal(t, in.Mapping())
				},
			}
			v, tk, sb := mountInodeFS(t, "igetfreeing", sops)
			var retries atomic.Int64
			defer vfs.SetIgetFreeingRetryHook(func() { retries.Add(1) })()

			old, isNew := vfs.IgetLocked(tk, sb, 99)
			if !isNew {
				t.Fatal("set-up: not new")
			}
			old.SetModeType(vfs.S_IFREG | 0o644)
			old.ClearNlink() // the last iput evicts it
			vfs.UnlockNewInode(tk, old)
			a := tk.Fork("evicter")
			go func() {
				defer a.Exit()
				vfs.Iput(a, old)
			}()
			waitInodeCond(t, "->evict_inode", inEvict.Load)

			type res struct {
				in      *vfs.Inode
				isNew   bool
				evicted bool
			}
			done := make(chan res)
			b := tk.Fork("iget")
			go func() {
				defer b.Exit()
				in, isNew := vfs.IgetLocked(b, sb, 99)
				done <- res{in, isNew, evicted.Load()}
			}()
			time.Sleep(tc.sleep)
			if n := retries.Load(); n != 0 {
				t.Errorf("%d retries while ->evict_inode slept, want none", n)
			}
			close(release)
			r := <-done
			if !r.evicted {
				t.Error("IgetLocked returned before the eviction ended")
			}
			if !r.isNew || r.in == old {
				t.Fatalf("IgetLocked after the eviction: new %v, the freed inode %v", r.isNew, r.in == old)
			}
			if n := retries.Load(); n > tc.maxTry {
				t.Errorf("%d retries, want at most %d", n, tc.maxTry)
			}
			r.in.SetModeType(vfs.S_IFREG | 0o644)
			vfs.UnlockNewInode(tk, r.in)
			vfs.Iput(tk, r.in)
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
