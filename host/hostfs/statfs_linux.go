//go:build linux

package hostfs

import (
	"syscall"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"

	"github.com/vfscope/vfscope/vfs"
)

// hostStatfs fills st from the host filesystem that holds the store's
// root: for Dir, fstatfs(2) of the root directory opened through its
// os.Root, so that a SRC the host has since renamed or replaced (by a
// link to another filesystem) cannot report another filesystem; for
// osfs's BoundOS, which itself goes by the name at each call, statfs(2)
// of that name. false for a store without a host directory, and when
// the host refuses.
func hostStatfs(fs billy.Filesystem, st *vfs.Statfs) bool {
	var s syscall.Statfs_t
	var err error
	switch fs := fs.(type) {
	case *Dir:
		err = fs.withRootFd(func(fd int) error { return syscall.Fstatfs(fd, &s) })
	case *osfs.BoundOS:
		err = syscall.Statfs(fs.Root(), &s)
	default:
		return false
	}
	if err != nil {
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
