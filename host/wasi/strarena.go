package wasi

import "unsafe"

// stringArena makes strings by copying bytes into chunks it allocates
// arenaChunk bytes at a time, instead of one allocation per string: a
// path_filestat_get or path_open, whose path the VFS walks and drops,
// then allocates nothing for it. Bytes handed out are never written
// again, so each string is as immutable as any other; one the VFS keeps
// (a trace event's, a dentry name shared with it) keeps its whole chunk
// alive, so a string the VFS stores by design (a symlink's target) is
// allocated on its own (readString).
type stringArena struct {
	// free is the unused rest of the current chunk.
	free []byte
}

const (
	arenaChunk = 16 << 10
	// arenaMax is the longest string the arena holds; longer ones are
	// allocated on their own.
	arenaMax = 256
)

func (a *stringArena) string(p []byte) string {
	n := len(p)
	if n == 0 {
		return ""
	}
	if n > arenaMax {
		return string(p)
	}
	if n > len(a.free) {
		a.free = make([]byte, arenaChunk)
	}
	q := a.free[:n:n]
	copy(q, p)
	a.free = a.free[n:]
	return unsafe.String(&q[0], n)
}
