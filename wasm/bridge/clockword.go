//go:build !(js || wasip1)

package bridge

import "sync/atomic"

// clockWord is batchClock's word: sync/atomic's here, where the flusher
// reads the clock from another thread.
type clockWord struct{ atomic.Int64 }
