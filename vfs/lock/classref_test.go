package lock

import (
	"reflect"
	"strconv"
	"sync"
	"testing"
)

// hasPointers reports whether a value of type t holds anything the
// garbage collector must trace.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func,
		reflect.Interface, reflect.Slice, reflect.String:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// TestClassRef: each primitive finds its class again through the id it
// holds, the locks embedded in inodes and dentries hold no pointer, and
// ids past the first chunks of the class table resolve, also while
// classes are created concurrently.
func TestClassRef(t *testing.T) {
	spin, mutex := NewClass("ref spin", KindSpin), NewClass("ref mutex", KindMutex)
	rw, seq := NewClass("ref rwsem", KindRWSem), NewClass("ref seqlock", KindSeqLock)
	var (
		sl SpinLock
		ml Mutex
		rl RWSem
		ql SeqLock
	)
	for _, tc := range []struct {
		name string
		lock interface{ Class() *Class }
		init func()
		want *Class
		typ  reflect.Type
	}{
		{"SpinLock", &sl, func() { sl.Init(spin, 0) }, spin, reflect.TypeFor[SpinLock]()},
		{"Mutex", &ml, func() { ml.Init(mutex, 1) }, mutex, reflect.TypeFor[Mutex]()},
		{"RWSem", &rl, func() { rl.Init(rw, 2) }, rw, reflect.TypeFor[RWSem]()},
		{"SeqLock", &ql, func() { ql.Init(seq) }, seq, reflect.TypeFor[SeqLock]()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if c := tc.lock.Class(); c != nil {
				t.Fatalf("before Init: class %v, want none", c)
			}
			tc.init()
			if c := tc.lock.Class(); c != tc.want {
				t.Fatalf("class %v, want %v", c, tc.want)
			}
			if hasPointers(tc.typ) {
				t.Fatalf("%s holds a pointer", tc.typ)
			}
		})
	}

	const n = 3 << classChunkShift // crosses chunk boundaries
	var wg sync.WaitGroup
	classes := make([][]*Class, 4)
	for g := range classes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n / len(classes) {
				classes[g] = append(classes[g], NewClass("ref "+strconv.Itoa(g)+"/"+strconv.Itoa(i), KindSpin))
			}
		}()
	}
	wg.Wait()
	for _, cs := range classes {
		for _, c := range cs {
			if got := c.ref().class(); got != c {
				t.Fatalf("class id %d resolves to %v, want %v", c.ID(), got, c)
			}
		}
	}
}
