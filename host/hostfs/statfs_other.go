//go:build !linux

package hostfs

import (
	"github.com/go-git/go-billy/v5"

	"github.com/vfscope/vfscope/vfs"
)

// hostStatfs has no host numbers to give off linux: simple_statfs's are
// used.
func hostStatfs(fs billy.Filesystem, st *vfs.Statfs) bool { return false }
