package lock_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vfscope/vfscope/vfs/lock"
)

var (
	tSpin  = lock.NewClass("&t->spin", lock.KindSpin)
	tMutex = lock.NewClass("&t->mutex", lock.KindMutex)
	tRW    = lock.NewClass("&t->rwsem", lock.KindRWSem)
	tSeq   = lock.NewClass("t_seqlock", lock.KindSeqLock)
)

// exclusive is the part of SpinLock and Mutex the mutual-exclusion test uses.
type exclusive interface {
	Lock(*lock.Owner)
	TryLock(*lock.Owner) bool
	Unlock(*lock.Owner)
	Holder() *lock.Owner
}

func newSpin() exclusive  { l := new(lock.SpinLock); l.Init(tSpin, 0); return l }
func newMutex() exclusive { l := new(lock.Mutex); l.Init(tMutex, 0); return l }

// rwWrite adapts an RWSem's write side to exclusive.
type rwWrite struct{ *lock.RWSem }

func (w rwWrite) Holder() *lock.Owner { o, _ := w.RWSem.Holder(); return o }
func newRWWrite() exclusive           { l := new(lock.RWSem); l.Init(tRW, 0); return rwWrite{l} }

func TestMutualExclusion(t *testing.T) {
	for _, tc := range []struct {
		name string
		mk   func() exclusive
	}{{"spin", newSpin}, {"mutex", newMutex}, {"rwsem-write", newRWWrite}} {
		for _, validate := range []bool{false, true} {
			name := tc.name + "/off"
			if validate {
				name = tc.name + "/on"
			}
			t.Run(name, func(t *testing.T) {
				var v *lock.Validator
				if validate {
					v = lock.NewValidator()
				}
				l := tc.mk()
				var wg sync.WaitGroup
				counter := 0 // protected by l; -race checks it
				var inside atomic.Int32
				for g := 0; g < 8; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						o := lock.NewOwner("worker", v)
						for i := 0; i < 500; i++ {
							if i%3 == 0 {
								if !l.TryLock(o) {
									continue
								}
							} else {
								l.Lock(o)
							}
							if inside.Add(1) != 1 {
								t.Error("two holders inside")
							}
							if l.Holder() != o {
								t.Error("Holder is not the owner")
							}
							counter++
							inside.Add(-1)
							l.Unlock(o)
						}
					}()
				}
				wg.Wait()
				if counter == 0 {
					t.Fatal("nothing ran")
				}
				if l.Holder() != nil {
					t.Error("Holder after all unlocked")
				}
				if v != nil {
					if r := v.Reports(); len(r) != 0 {
						t.Fatalf("unexpected reports: %v", r)
					}
					if s := v.Stats(); s.Acquisitions == 0 {
						t.Errorf("stats not counted: %+v", s)
					}
				}
			})
		}
	}
}

func TestTryLock(t *testing.T) {
	for _, mk := range []func() exclusive{newSpin, newMutex, newRWWrite} {
		l := mk()
		a, b := lock.NewOwner("a", nil), lock.NewOwner("b", nil)
		if !l.TryLock(a) {
			t.Fatal("TryLock of free lock failed")
		}
		if l.TryLock(b) {
			t.Fatal("TryLock of held lock succeeded")
		}
		if l.Holder() != a {
			t.Fatal("holder not a")
		}
		l.Unlock(a)
		if !l.TryLock(b) {
			t.Fatal("TryLock after unlock failed")
		}
		l.Unlock(b)
	}
}

func TestRWSemReadersConcurrentWritersExclusive(t *testing.T) {
	for _, validate := range []bool{false, true} {
		var v *lock.Validator
		if validate {
			v = lock.NewValidator()
		}
		var l lock.RWSem
		l.Init(tRW, 0)

		// All readers must be inside at once: each waits for the others.
		const n = 6
		var in sync.WaitGroup
		in.Add(n)
		var done sync.WaitGroup
		for i := 0; i < n; i++ {
			done.Add(1)
			go func() {
				defer done.Done()
				o := lock.NewOwner("reader", v)
				l.RLock(o)
				in.Done()
				in.Wait()
				l.RUnlock(o)
			}()
		}
		done.Wait()

		var readers, writers atomic.Int32
		for i := 0; i < 8; i++ {
			done.Add(1)
			go func() {
				defer done.Done()
				o := lock.NewOwner("mixed", v)
				for j := 0; j < 300; j++ {
					if (i+j)%4 == 0 {
						l.Lock(o)
						if writers.Add(1) != 1 || readers.Load() != 0 {
							t.Error("writer not exclusive")
						}
						writers.Add(-1)
						l.Unlock(o)
					} else {
						l.RLock(o)
						readers.Add(1)
						if writers.Load() != 0 {
							t.Error("reader with writer inside")
						}
						readers.Add(-1)
						l.RUnlock(o)
					}
				}
			}()
		}
		done.Wait()
		if w, r := l.Holder(); w != nil || r != 0 {
			t.Fatalf("Holder after all released: %v %d", w, r)
		}
		if v != nil && len(v.Reports()) != 0 {
			t.Fatalf("unexpected reports: %v", v.Reports())
		}
	}
}

func TestRWSemDowngrade(t *testing.T) {
	v := lock.NewValidator()
	var l lock.RWSem
	l.Init(tRW, 0)
	a, b := lock.NewOwner("a", v), lock.NewOwner("b", v)
	l.Lock(a)
	if b.Holds(&l) != lock.Unheld || a.Holds(&l) != lock.Exclusive {
		t.Fatal("Holds wrong before downgrade")
	}
	if l.TryRLock(b) {
		t.Fatal("TryRLock succeeded against a writer")
	}
	l.Downgrade(a)
	if a.Holds(&l) != lock.Shared {
		t.Fatalf("after Downgrade a holds %v", a.Holds(&l))
	}
	if !l.TryRLock(b) {
		t.Fatal("reader could not enter after Downgrade")
	}
	if l.TryLock(lock.NewOwner("c", v)) {
		t.Fatal("writer entered while read-held")
	}
	if w, r := l.Holder(); w != nil || r != 2 {
		t.Fatalf("Holder = %v, %d; want nil, 2", w, r)
	}
	l.RUnlock(a)
	l.RUnlock(b)
	if !l.TryLock(b) {
		t.Fatal("TryLock after all readers left failed")
	}
	l.Unlock(b)
	if r := v.Reports(); len(r) != 0 {
		t.Fatalf("unexpected reports: %v", r)
	}
}

func TestRWSemWriterBlocksUntilReadersLeave(t *testing.T) {
	var l lock.RWSem
	l.Init(tRW, 0)
	r, w := lock.NewOwner("r", nil), lock.NewOwner("w", nil)
	l.RLock(r)
	got := make(chan struct{})
	go func() { l.Lock(w); close(got) }()
	select {
	case <-got:
		t.Fatal("writer got in with a reader inside")
	case <-time.After(20 * time.Millisecond):
	}
	// A waiting writer blocks new readers, as in Linux. Poll until the
	// writer is queued.
	late := lock.NewOwner("late", nil)
	for i := 0; ; i++ {
		if !l.TryRLock(late) {
			break
		}
		l.RUnlock(late)
		if i == 2000 {
			t.Fatal("new readers keep getting in ahead of a waiting writer")
		}
		time.Sleep(time.Millisecond)
	}
	l.RUnlock(r)
	<-got
	if o, _ := l.Holder(); o != w {
		t.Fatal("writer not recorded")
	}
	l.Unlock(w)
}

func TestRWSemDisownAdopt(t *testing.T) {
	for _, validate := range []bool{false, true} {
		var v *lock.Validator
		if validate {
			v = lock.NewValidator()
		}
		var l lock.RWSem
		l.Init(tRW, 0)
		freezer, thawer := lock.NewOwner("freezer", v), lock.NewOwner("thawer", v)
		l.Lock(freezer)
		l.Disown(freezer)
		if w, _ := l.Holder(); w != nil || !l.Disowned() {
			t.Fatal("still owned after Disown")
		}
		if len(freezer.Held()) != 0 {
			t.Fatal("freezer still holds after Disown")
		}
		if l.TryRLock(freezer) {
			t.Fatal("disowned lock not write-locked")
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			l.Adopt(thawer)
			if validate && thawer.Holds(&l) != lock.Exclusive {
				t.Error("thawer does not hold after Adopt")
			}
			if w, _ := l.Holder(); w != thawer {
				t.Error("Holder not thawer")
			}
			l.Unlock(thawer)
		}()
		<-done
		if !l.TryLock(freezer) {
			t.Fatal("lock not free after thaw")
		}
		l.Unlock(freezer)
		if v != nil && len(v.Reports()) != 0 {
			t.Fatalf("unexpected reports: %v", v.Reports())
		}
	}
}

func TestAdoptNotDisownedPanics(t *testing.T) {
	var l lock.RWSem
	l.Init(tRW, 0)
	defer func() {
		if recover() == nil {
			t.Fatal("Adopt of an unlocked rwsem did not panic")
		}
	}()
	l.Adopt(lock.NewOwner("x", nil))
}

func TestHolderWithValidationOff(t *testing.T) {
	o := lock.NewOwner("task 1", nil)
	var m lock.Mutex
	m.Init(tMutex, 0)
	m.Lock(o)
	if m.Holder() != o || len(o.Held()) != 0 || o.Holds(&m) != lock.Unheld {
		t.Fatal("off: Holder must be recorded, the stack must not")
	}
	m.Unlock(o)
	if m.Holder() != nil {
		t.Fatal("Holder after Unlock")
	}
	var rw lock.RWSem
	rw.Init(tRW, 0)
	rw.RLock(o)
	rw.RLock(lock.NewOwner("task 2", nil))
	if w, r := rw.Holder(); w != nil || r != 2 {
		t.Fatalf("Holder = %v, %d", w, r)
	}
}

// The data guarded by sequence counters is read and written with atomics,
// so -race checks the counters' logic rather than flagging the data.
func TestSeqLockConsistentPairs(t *testing.T) {
	for _, validate := range []bool{false, true} {
		var v *lock.Validator
		if validate {
			v = lock.NewValidator()
		}
		var sl lock.SeqLock
		sl.Init(tSeq)
		var x, y atomic.Int64
		var checked atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := lock.NewOwner("writer", v)
				// Until the readers have checked some pairs (within a
				// bound): on a loaded machine the writers could
				// otherwise finish before a reader ran.
				for i := int64(1); i <= 2000 || checked.Load() < 100 && i <= 200000; i++ {
					sl.WriteLock(o)
					if sl.Holder() != o {
						t.Error("SeqLock holder")
					}
					x.Store(i)
					runtime.Gosched()
					y.Store(i)
					sl.WriteUnlock(o)
					// On wasm nothing preempts a goroutine: let a
					// reader see the sequence even now and then.
					if i%8 == 0 {
						runtime.Gosched()
					}
				}
			}()
		}
		var rg sync.WaitGroup
		for r := 0; r < 4; r++ {
			rg.Add(1)
			go func() {
				defer rg.Done()
				o := lock.NewOwner("excl reader", v)
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					// On wasm nothing preempts a goroutine: yield so the
					// writers run.
					runtime.Gosched()
					if n%10 == 0 {
						sl.ReadLockExcl(o)
						if x.Load() != y.Load() {
							t.Error("ReadLockExcl saw a torn pair")
						}
						sl.ReadUnlockExcl(o)
						continue
					}
					var a, b int64
					for {
						s := sl.ReadBeginBy(o)
						if s&1 != 0 {
							t.Error("ReadBegin returned odd")
						}
						a, b = x.Load(), y.Load()
						if !sl.ReadRetry(s) {
							break
						}
					}
					if a != b {
						t.Errorf("torn read %d != %d", a, b)
					}
					checked.Add(1)
				}
			}()
		}
		wg.Wait()
		close(stop)
		rg.Wait()
		if checked.Load() == 0 {
			t.Fatal("no reads")
		}
		if sl.Seq().Value()&1 != 0 {
			t.Fatal("count odd after writers finished")
		}
		if v != nil && len(v.Reports()) != 0 {
			t.Fatalf("unexpected reports: %v", v.Reports())
		}
	}
}

func TestSeqCountUnderSpinLock(t *testing.T) {
	var s lock.SeqCount
	var l lock.SpinLock
	l.Init(tSpin, 0)
	var x, y atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := lock.NewOwner("w", nil)
			for i := int64(0); i < 1000; i++ {
				l.Lock(o)
				s.BeginWrite()
				x.Add(1)
				y.Add(1)
				s.EndWrite()
				l.Unlock(o)
			}
		}()
	}
	for reads := 0; reads < 2000; reads++ {
		start := s.RawBegin()
		a, b := x.Load(), y.Load()
		if s.Retry(start) {
			continue // a writer ran, possibly still running: read again
		}
		if a != b {
			t.Fatalf("torn read %d != %d", a, b)
		}
	}
	wg.Wait()
	if s.Value() != 4000 {
		t.Fatalf("count %d, want 4000", s.Value())
	}
	if s.RawBegin() != 4000 || s.Retry(4000) {
		t.Fatal("RawBegin/Retry on a quiet counter")
	}
	s.BeginWrite()
	if s.RawBegin() != 4000 || !s.Retry(s.RawBegin()) {
		t.Fatal("RawBegin during a write must make Retry true")
	}
	s.EndWrite()
}

// TestInitWithWrongClassPanics: an Init with a nil class, or with a class
// of another kind, panics with an error naming the primitive and both
// kinds.
func TestInitWithWrongClassPanics(t *testing.T) {
	tests := []struct {
		name string
		init func()
		want string
	}{
		{"spin nil", func() { new(lock.SpinLock).Init(nil, 0) }, "lock: SpinLock.Init with nil class"},
		{"spin of mutex", func() { new(lock.SpinLock).Init(tMutex, 0) }, "lock: SpinLock.Init with class &t->mutex of kind mutex, want spinlock"},
		{"mutex of rwsem", func() { new(lock.Mutex).Init(tRW, 0) }, "lock: Mutex.Init with class &t->rwsem of kind rwsem, want mutex"},
		{"rwsem of spin", func() { new(lock.RWSem).Init(tSpin, 0) }, "lock: RWSem.Init with class &t->spin of kind spinlock, want rwsem"},
		{"seqlock nil", func() { new(lock.SeqLock).Init(nil) }, "lock: SeqLock.Init with nil class"},
		{"seqlock of spin", func() { new(lock.SeqLock).Init(tSpin) }, "lock: SeqLock.Init with class &t->spin of kind spinlock, want seqlock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				err, ok := recover().(error)
				if !ok {
					t.Fatalf("Init did not panic with an error")
				}
				if err.Error() != tt.want {
					t.Fatalf("panic %q, want %q", err.Error(), tt.want)
				}
			}()
			tt.init()
		})
	}
}
