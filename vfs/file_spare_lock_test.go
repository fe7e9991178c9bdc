package vfs

import (
	"strings"
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

// Freeing a File whose f_pos_lock is held is a held lock freed, reported
// at the free rather than at a later Unlock of the reused memory.
func TestFreeFileHeldPosLock(t *testing.T) {
	rows := []struct {
		name string
		held bool
	}{
		{"free", false},
		{"held", true},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, tk, _ := pcEnv(t)
			root := tk.Root()
			f := tk.allocFile(root, root.Dentry.Inode(), 0)
			f.posLock.Init(classFPos, 0)
			if r.held {
				f.posLock.Lock(tk.o)
			}
			var got any
			func() {
				defer func() { got = recover() }()
				tk.freeFile(f)
			}()
			if r.held {
				f.posLock.Unlock(tk.o)
			}
			err, _ := got.(error)
			freed := err != nil && strings.Contains(err.Error(), "held lock freed")
			if freed != r.held {
				t.Errorf("freeFile with f_pos_lock held=%v: panic %v", r.held, got)
			}
			if !r.held {
				g := tk.allocFile(root, root.Dentry.Inode(), 0)
				g.posLock.Init(classFPos, 0)
				tk.freeFile(g)
			}
		})
	}
}
