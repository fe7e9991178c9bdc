// Package boot builds a VFS the way init finds one: the filesystem types
// registered, tmpfs mounted as the root, proc on /proc, and the usual
// directories.
package boot

import (
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/procfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// New returns a VFS with tmpfs as its root, /tmp on it, proc mounted on
// /proc (as `mount -t proc proc /proc`), and a task with root credentials
// to act in it.
func New(opts vfs.Options) (*vfs.VFS, *vfs.Task, error) {
	v := vfs.New(opts)
	t := v.NewTask("init", vfs.RootCred)
	if err := tmpfs.Register(t, v); err != nil {
		return nil, nil, err
	}
	if err := procfs.Register(t, v); err != nil {
		return nil, nil, err
	}
	if err := v.MountRoot(t, "tmpfs", "mode=755"); err != nil {
		return nil, nil, err
	}
	if err := t.Mkdir("/tmp", 0o1777); err != nil {
		return nil, nil, err
	}
	if err := t.Chmod("/tmp", 0o1777); err != nil {
		return nil, nil, err
	}
	if err := t.Mkdir("/proc", 0o555); err != nil {
		return nil, nil, err
	}
	if err := t.Mount("proc", "/proc", "proc", 0, ""); err != nil {
		return nil, nil, err
	}
	return v, t, nil
}
