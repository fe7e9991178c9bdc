package vfs

import (
	"unsafe"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// Plain stores into the atomic fields of an object nobody else can reach
// yet (a dentry or inode being allocated), as Linux initialises a new
// struct dentry or inode with plain stores before publishing it. On amd64
// an atomic store is an exchange, which waits for every store before it;
// a new object's first fields cost a dozen of them otherwise. The object
// is published later by an atomic store or a lock release, which orders
// these stores before any reader's load (and tells the race detector so).
//
// Each atomic type keeps its value first (sync/atomic's and the wasm
// build's alike); TestPrepublishStores checks it.

func initU32(a *atomic.Uint32, v uint32) { *(*uint32)(unsafe.Pointer(a)) = v }
func initI32(a *atomic.Int32, v int32)   { *(*int32)(unsafe.Pointer(a)) = v }
func initU64(a *atomic.Uint64, v uint64) { *(*uint64)(unsafe.Pointer(a)) = v }
func initI64(a *atomic.Int64, v int64)   { *(*int64)(unsafe.Pointer(a)) = v }

// initPtr stores p with the write barrier a pointer store needs.
func initPtr[T any](a *atomic.Pointer[T], p *T) {
	*(*unsafe.Pointer)(unsafe.Pointer(a)) = unsafe.Pointer(p)
}
