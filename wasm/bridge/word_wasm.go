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
