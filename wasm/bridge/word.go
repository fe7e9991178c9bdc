//go:build !(js || wasip1)

package bridge

import (
	"sync"
	"sync/atomic"
)

// The words the watchdog's goroutine shares with a call's (scratch,
// Watchdog): sync/atomic's here, where the two run on separate threads.
// Under WebAssembly they are plain words (word_wasm.go).
type (
	flagWord    struct{ atomic.Bool }
	counterWord struct{ atomic.Uint64 }
	instWord    struct{ atomic.Pointer[instance] }
)

// batchMutex is Bridge.mu: a sync.Mutex here.
type batchMutex struct{ sync.Mutex }
