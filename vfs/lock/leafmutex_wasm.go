//go:build js || wasip1

package lock

import "runtime"

// LeafMutex is a mutex outside the lock model for leaf critical sections
// (see leafmutex_native.go). Here one goroutine runs at a time and
// switches only inside calls, so it is a flag: Lock tests and sets it
// with no call between. A critical section may still yield (an
// allocation can park its goroutine to assist the collector): a
// goroutine that finds the mutex held yields until it is free. It
// registers nowhere, so no wake-up can be lost, whatever switches
// happen; leaf sections are short and contention rare. As with
// sync.Mutex, any goroutine may unlock it.
type LeafMutex struct {
	held bool
}

// Lock locks m, yielding while another goroutine holds it.
func (m *LeafMutex) Lock() {
	for m.held {
		runtime.Gosched()
	}
	m.held = true
}

// Unlock unlocks m. Unlocking an unlocked LeafMutex panics, as for
// sync.Mutex.
func (m *LeafMutex) Unlock() {
	if !m.held {
		m.unlockUnlocked()
	}
	m.held = false
}

//go:noinline
func (m *LeafMutex) unlockUnlocked() { panic("lock: unlock of an unlocked LeafMutex") }
