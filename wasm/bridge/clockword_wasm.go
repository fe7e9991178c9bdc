//go:build js || wasip1

package bridge

// clockWord is batchClock's word. WebAssembly runs one goroutine at a
// time and switches only where one blocks or yields, never inside these
// methods, so plain operations are atomic; sync/atomic's are calls the
// compiler does not inline here, two or three on every tick. (The same
// reasoning as vfs/internal/atomic, which this package, outside vfs,
// cannot import.)
type clockWord struct{ v int64 }

func (w *clockWord) Load() int64 { return w.v }

func (w *clockWord) CompareAndSwap(old, new int64) bool {
	if w.v != old {
		return false
	}
	w.v = new
	return true
}
