//go:build js || wasip1

package lock

// LeafMutex is a mutex outside the lock model for leaf critical sections
// (see leafmutex_native.go). Here one goroutine runs at a time and
// switches only inside calls, so while nobody waits it is a flag. A
// critical section may still yield (an allocation can park its
// goroutine to assist the collector): a goroutine that finds the mutex
// held then waits on a channel, and Unlock hands the mutex to the first
// waiter. As with sync.Mutex, any goroutine may unlock it.
type LeafMutex struct {
	held    bool
	waiters int           // goroutines blocked in Lock
	handoff chan struct{} // made by the first waiter
}

// Lock locks m, waiting while another goroutine holds it.
func (m *LeafMutex) Lock() {
	if m.held {
		m.lockSlow()
		return
	}
	m.held = true
}

//go:noinline
func (m *LeafMutex) lockSlow() {
	if m.handoff == nil {
		m.handoff = make(chan struct{})
	}
	m.waiters++
	<-m.handoff // m stays held: Unlock handed it over
}

// Unlock unlocks m, or hands it to a waiter. Unlocking an unlocked
// LeafMutex panics, as for sync.Mutex.
func (m *LeafMutex) Unlock() {
	if !m.held || m.waiters != 0 {
		m.unlockSlow()
		return
	}
	m.held = false
}

//go:noinline
func (m *LeafMutex) unlockSlow() {
	if !m.held {
		panic("lock: unlock of an unlocked LeafMutex")
	}
	m.waiters--
	m.handoff <- struct{}{}
}
