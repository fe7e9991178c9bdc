//go:build linux

package hostfs

import (
	"os"
	"path"
	"syscall"

	"golang.org/x/sys/unix"
)

// Rename is rename(2) on the host (Rename2 with no flags).
func (d *Dir) Rename(oldpath, newpath string) error { return d.Rename2(oldpath, newpath, 0) }

// Rename2 is renameat2(2) on the host, with Linux's RENAME_NOREPLACE,
// RENAME_EXCHANGE and RENAME_WHITEOUT flags, between the two parent
// directories opened through the root (so confined), the last
// components not followed. The host checks RENAME_NOREPLACE and makes
// the exchange atomically. os.Root.Rename is not used: like os.Rename
// it refuses to replace any directory (EEXIST), where Linux replaces an
// empty one, and it has no flags. Without flags it is renameat(2).
func (d *Dir) Rename2(oldpath, newpath string, flags uint) error {
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
	name := "renameat"
	if flags == 0 {
		err = syscall.Renameat(int(of.Fd()), path.Base(op), int(nf.Fd()), path.Base(np))
	} else {
		name = "renameat2"
		err = unix.Renameat2(int(of.Fd()), path.Base(op), int(nf.Fd()), path.Base(np), flags)
	}
	if err != nil {
		return &os.LinkError{Op: name, Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

var _ renamer2 = (*Dir)(nil)
