package lock_test

import (
	"sync"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
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
