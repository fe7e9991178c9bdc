//go:build !js && !wasip1

package lock

import "sync"

// LeafMutex is a mutex outside the lock model, for leaf critical
// sections that take nothing else and run in any context (the page
// pool's list, a filesystem's inode slab, a wait queue's bucket): what
// Linux guards with a raw spinlock lockdep does not need to see.
// Natively it is sync.Mutex. Under GOOS=js and GOOS=wasip1
// (leafmutex_wasm.go) it is a flag whose uncontended Lock and Unlock
// inline, where sync.Mutex's are six Go calls. Its zero value is
// unlocked; it must not be copied after first use; it is a sync.Locker.
type LeafMutex = sync.Mutex
