//go:build linux

package hostfs

import (
	"os"
	"path"
	"syscall"
)

// Rename is rename(2) on the host, between the two parent directories
// opened through the root (so confined) with the last components not
// followed. os.Root.Rename is not used: like os.Rename it refuses to
// replace any directory (EEXIST), where Linux replaces an empty one.
func (d *Dir) Rename(oldpath, newpath string) error {
	op, np := rel(oldpath), rel(newpath)
	of, err := d.root.Open(path.Dir(op))
	if err != nil {
		return err
	}
	defer of.Close()
	nf, err := d.root.Open(path.Dir(np))
	if err != nil {
		return err
	}
	defer nf.Close()
	err = syscall.Renameat(int(of.Fd()), path.Base(op), int(nf.Fd()), path.Base(np))
	if err != nil {
		return &os.LinkError{Op: "renameat", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}
