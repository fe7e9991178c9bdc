package vfs_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// TestIgetLockedWaitsForNewInode: a task asking for an inode another
// task is still filling in (I_NEW) sleeps on the I_NEW wait queue until
// UnlockNewInode, then gets the same, filled-in inode; waiters for
// different inodes in the same wait bucket are woken and go back to
// sleep only if theirs is still new.
func TestIgetLockedWaitsForNewInode(t *testing.T) {
	for _, tc := range []struct {
		name    string
		waiters int
		inodes  int
	}{
		{"one waiter", 1, 1},
		{"many waiters, one inode", 4, 1},
		{"many waiters, many inodes", 6, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, tk := bareVFS(t)
			sb := v.RootMount().Root().Inode().SB()
			news := make([]*vfs.Inode, tc.inodes)
			for k := range news {
				in, isNew := vfs.IgetLocked(tk, sb, uint64(5000+k))
				if !isNew {
					t.Fatalf("ino %d: not new", 5000+k)
				}
				news[k] = in
			}
			var unlocked [64]atomic.Bool
			var wg sync.WaitGroup
			errs := make(chan string, tc.waiters*tc.inodes)
			for w := range tc.waiters {
				task := tk.Fork("waiter")
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer task.Exit()
					for k := range tc.inodes {
						k := (k + w) % tc.inodes
						in, isNew := vfs.IgetLocked(task, sb, uint64(5000+k))
						switch {
						case isNew:
							errs <- "a waiter got a new inode"
						case in != news[k]:
							errs <- "a waiter got another inode"
						case !unlocked[k].Load():
							errs <- "a waiter returned before UnlockNewInode"
						case in.Mode() != vfs.S_IFREG|0o600:
							errs <- "a waiter saw the inode before it was filled in"
						}
						vfs.Iput(task, in)
					}
				}()
			}
			// Let the waiters reach the wait queue, then finish the
			// inodes one by one.
			deadline := time.Now().Add(50 * time.Millisecond)
			for time.Now().Before(deadline) {
				runtime.Gosched()
			}
			for k, in := range news {
				in.SetModeType(vfs.S_IFREG | 0o600)
				unlocked[k].Store(true)
				vfs.UnlockNewInode(tk, in)
				runtime.Gosched()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Fatal(e)
			}
			for _, in := range news {
				vfs.Iput(tk, in)
			}
			if r := v.Validator().Reports(); len(r) != 0 {
				t.Fatalf("validator reports:\n%v", r)
			}
		})
	}
}
