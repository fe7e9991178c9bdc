package billyfs

import (
	"strings"

	"github.com/vfscope/vfscope/vfs"
)

// hostMaxBytes is s_maxbytes on a host directory: ext4's with 4 KiB
// blocks, (2^32-1) blocks (ext4_max_size in fs/ext4/super.c), 16 TiB
// less a block. A host filesystem with a smaller limit answers EFBIG
// itself, mapped by Errno.
const hostMaxBytes = (1<<32 - 1) * pageSize

// MaxFileSizer is what a store registered with RegisterStore may
// implement to say how large a file it can hold; a store without it is
// taken to be held in memory.
type MaxFileSizer interface {
	MaxFileSize() int64
}

// storeMaxBytes is s_maxbytes for the store a store= value names: what
// one file of it can hold. A store in memory (memfs) keeps a file in one
// slice, holes before the last byte included, so a file can be no larger
// than the VFS's memory (its budget, MemTotal); see RATIONALE.md.
func storeMaxBytes(spec string, store any, v *vfs.VFS) int64 {
	if kind, _, ok := strings.Cut(spec, ":"); ok && kind == "os" {
		return hostMaxBytes
	}
	if m, ok := store.(MaxFileSizer); ok && m.MaxFileSize() > 0 {
		return m.MaxFileSize() &^ (pageSize - 1)
	}
	return v.MemBudget() &^ (pageSize - 1)
}
