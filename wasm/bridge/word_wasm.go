//go:build js || wasip1

package bridge

// The words the watchdog's goroutine shares with a call's (scratch,
// Watchdog), as plain words: WebAssembly runs one goroutine at a time and
// switches only where one blocks or yields, never inside these methods
// (as for clockWord). sync/atomic's operations are calls the compiler
// does not inline here, about ten on every crossing.
type flagWord struct{ v bool }

func (w *flagWord) Load() bool   { return w.v }
func (w *flagWord) Store(v bool) { w.v = v }

type counterWord struct{ v uint64 }

func (w *counterWord) Load() uint64        { return w.v }
func (w *counterWord) Add(d uint64) uint64 { w.v += d; return w.v }

type instWord struct{ p *instance }

func (w *instWord) Load() *instance   { return w.p }
func (w *instWord) Store(p *instance) { w.p = p }

// batchMutex is Bridge.mu: a flag while nobody waits, which is always
// but for a batch that sleeps holding it (sync.Mutex's Lock and Unlock
// are six calls here). A goroutine that finds it held waits on a
// channel, and Unlock hands the mutex to the first waiter. As
// sync.Mutex, it may be unlocked by a goroutine other than the one that
// locked it (the watchdog's abandonStalled does).
type batchMutex struct {
	held    bool
	waiters int
	handoff chan struct{}
}

func (m *batchMutex) Lock() {
	if !m.held {
		m.held = true
		return
	}
	if m.handoff == nil {
		m.handoff = make(chan struct{})
	}
	m.waiters++
	<-m.handoff // the mutex stays held: Unlock handed it over
}

func (m *batchMutex) Unlock() {
	if !m.held {
		panic("bridge: unlock of an unlocked batchMutex")
	}
	if m.waiters == 0 {
		m.held = false
		return
	}
	m.waiters--
	m.handoff <- struct{}{}
}
