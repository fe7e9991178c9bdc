package vfs

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// A ->flush that leaks a lock is reported on return from the call that
// ran it: close(2) and execve's close-on-exec alike.
func TestCloseOnExecHeldOnReturn(t *testing.T) {
	for _, how := range []string{"close", "cloexec"} {
		t.Run(how, func(t *testing.T) {
			v, tk, sb := pcEnv(t)
			root := tk.Root().Dentry.Inode()
			victim := pcInode(tk, sb)
			var fops FileOperations
			if root.FOps != nil {
				fops = *root.FOps
			}
			fops.Flush = func(t *Task, f *File) error {
				victim.rwsem.Lock(t.o) // leaked
				return nil
			}
			root.FOps = &fops
			fd, err := tk.Open("/", O_RDONLY|O_DIRECTORY|O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			if how == "close" {
				tk.Close(fd)
			} else {
				tk.CloseOnExec()
			}
			victim.rwsem.Unlock(tk.o)
			found := false
			for _, r := range v.Validator().Reports() {
				found = found || r.Kind == lock.HeldOnReturn
			}
			if !found {
				t.Errorf("%s: a lock ->flush left held was not reported (reports %v)", how, v.Validator().Reports())
			}
		})
	}
}
