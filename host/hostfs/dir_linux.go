//go:build linux

package hostfs

import (
	"os"
	"path"
	"syscall"
	"time"

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

// Lchtimes sets the access and modification times of name itself, a
// final symlink not followed: utimensat(2) with AT_SYMLINK_NOFOLLOW on
// the parent directory opened through the root. A zero time leaves that
// time as it is (UTIME_OMIT), as os.Chtimes does.
func (d *Dir) Lchtimes(name string, atime, mtime time.Time) error {
	p := rel(name)
	pf, err := d.root.Open(path.Dir(p))
	if err != nil {
		return err
	}
	defer pf.Close()
	ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
	for i, tm := range []time.Time{atime, mtime} {
		if !tm.IsZero() {
			ts[i] = unix.NsecToTimespec(tm.UnixNano())
		}
	}
	if err := unix.UtimesNanoAt(int(pf.Fd()), path.Base(p), ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimensat", Path: name, Err: err}
	}
	return nil
}

var _ lchtimeser = (*Dir)(nil)
