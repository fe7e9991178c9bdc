package vfstest

import (
	"runtime"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs"
)

// FillRootDir gives a test filesystem's new superblock its root: a
// directory inode (S_IFDIR|perm, two links) with iops and fops, made the
// root dentry, as a fill_super does.
func FillRootDir(t *vfs.Task, sb *vfs.SuperBlock, perm uint32, iops *vfs.InodeOperations, fops *vfs.FileOperations) error {
	in := vfs.NewInode(t, sb)
	in.SetModeType(vfs.S_IFDIR | perm)
	in.SetNlink(2)
	in.Ops = iops
	in.FOps = fops
	root, err := vfs.MakeRoot(t, in)
	if err != nil {
		return err
	}
	sb.SetRoot(root)
	return nil
}

// WaitFor polls cond, yielding (wasm runs one goroutine at a time), until
// it holds; it fails the test after a generous deadline: the condition is
// expected much sooner, so this is not a timing assertion.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
