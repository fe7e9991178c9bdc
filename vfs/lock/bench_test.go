package lock_test

import (
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
	"github.com/vfscope/vfscope/vfs/trace"
)

var benchClass = lock.NewClass("bench", lock.KindMutex)

func BenchmarkSyncMutex(b *testing.B) {
	var m sync.Mutex
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func BenchmarkMutexOff(b *testing.B) {
	var m lock.Mutex
	m.Init(benchClass, 0)
	o := lock.NewOwner("bench", nil)
	for b.Loop() {
		m.Lock(o)
		m.Unlock(o)
	}
}

func BenchmarkMutexOn(b *testing.B) {
	var m lock.Mutex
	m.Init(benchClass, 0)
	o := lock.NewOwner("bench", lock.NewValidator())
	for b.Loop() {
		m.Lock(o)
		m.Unlock(o)
	}
}

// The cost of tracing: an owner given a bus that nobody listens on
// (TraceIdle) stays on the fast path; Traced emits request, acquire and
// release to a listener that keeps up.

func BenchmarkMutexTraceIdle(b *testing.B) {
	var m lock.Mutex
	m.Init(benchClass, 0)
	o := lock.NewOwner("bench", nil)
	o.SetTrace(trace.NewBus(), 1)
	for b.Loop() {
		m.Lock(o)
		m.Unlock(o)
	}
}

func BenchmarkMutexTraced(b *testing.B) {
	var m lock.Mutex
	m.Init(benchClass, 0)
	bus := trace.NewBus()
	l := bus.Subscribe(1 << 12)
	defer l.Close()
	buf := make([]trace.Event, 1<<10)
	o := lock.NewOwner("bench", nil)
	o.SetTrace(bus, 1)
	i := 0
	for b.Loop() {
		m.Lock(o)
		m.Unlock(o)
		if i++; i&255 == 0 {
			for l.Read(buf) > 0 {
			}
		}
	}
	if l.Lost() != 0 {
		b.Fatalf("lost %d events", l.Lost())
	}
}

// The contended pair: every goroutine of b.RunParallel takes one lock
// around a little work.
func BenchmarkSyncMutexContended(b *testing.B) {
	var m sync.Mutex
	var n int
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Lock()
			n++
			m.Unlock()
		}
	})
	_ = n
}

func BenchmarkMutexOffContended(b *testing.B) {
	var m lock.Mutex
	m.Init(benchClass, 0)
	var n int
	b.RunParallel(func(pb *testing.PB) {
		o := lock.NewOwner("bench", nil)
		for pb.Next() {
			m.Lock(o)
			n++
			m.Unlock(o)
		}
	})
	_ = n
}

var benchSeqClass = lock.NewClass("bench_seq", lock.KindSeqLock)

// BenchmarkSeqReadBeginOff and BenchmarkSeqReadBeginByOff: the checked
// reader costs what the unchecked one does when validation is off.
func BenchmarkSeqReadBeginOff(b *testing.B) {
	var q lock.SeqLock
	q.Init(benchSeqClass)
	var sum uint32
	for b.Loop() {
		sum += q.ReadBegin()
	}
	_ = sum
}

func BenchmarkSeqReadBeginByOff(b *testing.B) {
	var q lock.SeqLock
	q.Init(benchSeqClass)
	o := lock.NewOwner("bench", nil)
	var sum uint32
	for b.Loop() {
		sum += q.ReadBeginBy(o)
	}
	_ = sum
}
