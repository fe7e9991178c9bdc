package wasi

import "unsafe"

// StringArena makes short strings without an allocation each: the paths
// the front ends decode for one call (a WASI path_filestat_get, or the
// browser library's stat and open through wasm/bridge), which the VFS
// walks and drops. It copies bytes into chunks it allocates
// ArenaChunkSize bytes at a time and hands them out as strings. Bytes handed out are never written
// again, so each string is as immutable as any other. One the VFS keeps
// (a trace event's, a dentry name shared with it) keeps its whole chunk
// alive, so a caller decoding a string the VFS stores by design (a
// symlink's target, mount data) allocates it on its own instead.
//
// The zero value is ready to use. A StringArena is not safe for
// concurrent use: each holder (a bridge, a WASI ABI) serialises its calls.
type StringArena struct {
	// free is the unused rest of the current chunk.
	free []byte
}

const (
	// ArenaChunkSize is the size of the chunks a StringArena allocates.
	ArenaChunkSize = 16 << 10
	// ArenaMaxLen is the longest string a StringArena holds; longer ones are
	// allocated on their own.
	ArenaMaxLen = 256
)

// String returns a string with p's bytes.
func (a *StringArena) String(p []byte) string {
	n := len(p)
	if n == 0 {
		return ""
	}
	if n > ArenaMaxLen {
		return string(p)
	}
	if n > len(a.free) {
		a.free = make([]byte, ArenaChunkSize)
	}
	q := a.free[:n:n]
	copy(q, p)
	a.free = a.free[n:]
	return unsafe.String(&q[0], n)
}
