// Package boot builds a VFS the way init finds one: the filesystem types
// registered, tmpfs mounted as the root, proc on /proc, and the usual
// directories.
package boot

import (
	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/billyfs"
	"github.com/vfscope/vfscope/vfs/devmem"
	"github.com/vfscope/vfscope/vfs/procfs"
	"github.com/vfscope/vfscope/vfs/tmpfs"
)

// New returns a VFS with tmpfs, proc and billyfs registered, tmpfs as
// its root, /tmp on it, proc mounted on /proc (as `mount -t proc proc
// /proc`), a tmpfs on /dev holding the mem devices (null, zero, full,
// random, urandom), and a task with root credentials to act in it.
func New(opts vfs.Options) (*vfs.VFS, *vfs.Task, error) {
	return NewRoot(opts, "tmpfs", "mode=755")
}

// NewRoot is New with a root filesystem of type fstype mounted with
// options data (for example billyfs with "store=mem", to run a test
// suite on it).
func NewRoot(opts vfs.Options, fstype, data string) (*vfs.VFS, *vfs.Task, error) {
	v := vfs.New(opts)
	t := v.NewTask("init", vfs.RootCred)
	if err := tmpfs.Register(t, v); err != nil {
		return nil, nil, err
	}
	if err := procfs.Register(t, v); err != nil {
		return nil, nil, err
	}
	if err := vfs.RegisterPipeFS(t, v); err != nil {
		return nil, nil, err
	}
	if err := billyfs.Register(t, v); err != nil {
		return nil, nil, err
	}
	if err := v.MountRoot(t, fstype, data); err != nil {
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
	if err := mountDev(t, v); err != nil {
		return nil, nil, err
	}
	return v, t, nil
}

// mountDev is what udev's devtmpfs gives a booted system: a tmpfs on
// /dev (nosuid, mode 755) with the device nodes of the registered
// drivers.
func mountDev(t *vfs.Task, v *vfs.VFS) error {
	if err := devmem.Register(v); err != nil {
		return err
	}
	if err := t.Mkdir("/dev", 0o755); err != nil {
		return err
	}
	if err := t.Mount("udev", "/dev", "tmpfs", vfs.MS_NOSUID, "mode=755"); err != nil {
		return err
	}
	old := t.Umask(0)
	defer t.Umask(old)
	for _, d := range devmem.Devices {
		if err := t.Mknod("/dev/"+d.Name, vfs.S_IFCHR|0o666, vfs.MkDev(devmem.Major, d.Minor)); err != nil {
			return err
		}
	}
	return nil
}
