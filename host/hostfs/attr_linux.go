//go:build linux

package hostfs

import (
	"io/fs"
	"syscall"

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
