//go:build linux

package hostfs

import (
	"io/fs"
	"os"
	"syscall"
	"unsafe"

	"github.com/go-git/go-billy/v5"
	"golang.org/x/sys/unix"

	"github.com/vfscope/vfscope/vfs"
)

// sysAttr fills in what the host's lstat adds when the store passes it
// on (osfs and Dir do: their FileInfo.Sys() is the *syscall.Stat_t).
func sysAttr(fi fs.FileInfo, a *hattr) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	a.full = true
	a.mode = st.Mode
	a.ino = st.Ino
	a.dev = uint64(st.Dev)
	a.nlink = uint32(st.Nlink)
	a.uid, a.gid = st.Uid, st.Gid
	a.blocks = st.Blocks
	a.atime = st.Atim.Nano()
	a.mtime = st.Mtim.Nano()
	a.ctime = st.Ctim.Nano()
	// glibc's dev_t layout (gnu_dev_major/minor) to the VFS's encoding.
	r := uint64(st.Rdev)
	major := uint32((r>>8)&0xfff | (r>>32)&^0xfff)
	minor := uint32(r&0xff | (r>>12)&^0xff)
	a.rdev = vfs.MkDev(major, minor)
}

// hostDev is the host device of a file, when the store tells it.
func hostDev(fi fs.FileInfo) (uint64, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), true
	}
	return 0, false
}

// canFutimens tells whether futimens works on f: it has a host
// descriptor (os.File's, hence Dir's).
func canFutimens(f billy.File) bool {
	_, ok := f.(syscall.Conn)
	return ok
}

// futimens is futimens(2) on the host descriptor of f: the times given
// (ns since the epoch), nil ones left as they are (UTIME_OMIT).
func futimens(f billy.File, atime, mtime *int64) error {
	rc, err := f.(syscall.Conn).SyscallConn()
	if err != nil {
		return err
	}
	ts := [2]unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
	for i, tm := range []*int64{atime, mtime} {
		if tm != nil {
			ts[i] = unix.NsecToTimespec(*tm)
		}
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		// utimensat(fd, NULL, times, 0) is futimens(fd, times).
		if _, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, fd, 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); e != 0 {
			serr = e
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "futimens", Path: f.Name(), Err: serr}
	}
	return nil
}
