package lock_test

import (
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestInvalidSubclass: a subclass of MaxSubclasses (8,
// MAX_LOCKDEP_SUBCLASSES in include/linux/lockdep_types.h) or more is
// reported, as Linux's look_up_lock_class does ("BUG: looking up invalid
// subclass"), once per class and subclass, whether it comes from
// LockNested, a trylock or Init's default; 7 is valid.
func TestInvalidSubclass(t *testing.T) {
	for _, tc := range []struct {
		name string
		sub  uint8
		use  func(o *lock.Owner, c *lock.Class, sub uint8)
		want int
	}{
		{"LockNested 7", 7, func(o *lock.Owner, c *lock.Class, sub uint8) {
			var r lock.RWSem
			r.Init(c, 0)
			r.LockNested(o, sub)
			r.Unlock(o)
		}, 0},
		{"LockNested 8", 8, func(o *lock.Owner, c *lock.Class, sub uint8) {
			var r lock.RWSem
			r.Init(c, 0)
			r.LockNested(o, sub)
			r.Unlock(o)
		}, 1},
		{"LockNested 200 twice", 200, func(o *lock.Owner, c *lock.Class, sub uint8) {
			var r lock.RWSem
			r.Init(c, 0)
			for i := 0; i < 2; i++ {
				r.LockNested(o, sub)
				r.Unlock(o)
			}
		}, 1},
		{"Init default 9", 9, func(o *lock.Owner, c *lock.Class, sub uint8) {
			var r lock.RWSem
			r.Init(c, sub)
			r.RLock(o)
			r.RUnlock(o)
		}, 1},
		{"trylock with Init default 12", 12, func(o *lock.Owner, c *lock.Class, sub uint8) {
			var r lock.RWSem
			r.Init(c, sub)
			if r.TryLock(o) {
				r.Unlock(o)
			}
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := lock.NewValidator()
			o := lock.NewOwner("task 2", v)
			c := lock.NewClass("subclass_"+tc.name, lock.KindRWSem)
			tc.use(o, c, tc.sub)
			var n int
			for _, r := range v.Reports() {
				if r.Kind != lock.InvalidSubclass {
					t.Errorf("unexpected report:\n%s", r.Text)
					continue
				}
				n++
				mustContain(t, r.Text, fmt.Sprintf("BUG: looking up invalid subclass: %d", tc.sub), c.String())
			}
			if n != tc.want {
				t.Fatalf("%d invalid-subclass reports, want %d: %v", n, tc.want, v.Reports())
			}
		})
	}
}
