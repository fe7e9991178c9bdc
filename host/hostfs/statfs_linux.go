//go:build linux

package hostfs

import (
	"syscall"

	"github.com/vfscope/vfscope/vfs"
)

// hostStatfs fills st from statfs(2) of the host directory dir.
func hostStatfs(dir string, st *vfs.Statfs) bool {
	var s syscall.Statfs_t
	if err := syscall.Statfs(dir, &s); err != nil {
		return false
	}
	st.Bsize = int64(s.Bsize)
	st.Frsize = int64(s.Frsize)
	st.Blocks = s.Blocks
	st.Bfree = s.Bfree
	st.Bavail = s.Bavail
	st.Files = s.Files
	st.Ffree = s.Ffree
	st.Namelen = int64(s.Namelen)
	st.Fsid = uint64(uint32(s.Fsid.X__val[0])) | uint64(uint32(s.Fsid.X__val[1]))<<32
	return true
}
