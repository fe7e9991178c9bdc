package billyfs

import "strings"

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

// memStoreMaxBytes is s_maxbytes on a store in memory (go-billy's
// memfs, behind store=mem and every named memfs): 1 GiB. memfs keeps a
// file in one byte slice with no holes, so a byte at offset N costs N
// bytes of the host's memory at once; the limit keeps that within what
// every platform vfscope runs on can allocate (a browser's WebAssembly
// memory is at most 4 GiB, Go's heap included), while a file may still
// be larger than the VFS's own budget: the store is the disk, outside
// the page cache (the reclaim lesson copies a file larger than its
// budget). A full store is ENOSPC through size=, as a full disk is.
const memStoreMaxBytes = 1 << 30

// storeMaxBytes is s_maxbytes for the store a store= value names: what
// one file of it can hold; see RATIONALE.md.
func storeMaxBytes(spec string, store any) int64 {
	if kind, _, ok := strings.Cut(spec, ":"); ok && kind == "os" {
		return hostMaxBytes
	}
	if m, ok := store.(MaxFileSizer); ok && m.MaxFileSize() > 0 {
		return m.MaxFileSize() &^ (pageSize - 1)
	}
	return memStoreMaxBytes
}
