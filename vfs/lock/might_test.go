package lock_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/lock"
)

// TestMightLock: an annotation that a path might take B inside A records
// A -> B as taking it would, so a later B -> A is reported, and it
// leaves nothing held; without a validator it does nothing.
func TestMightLock(t *testing.T) {
	v := lock.NewValidator()
	ms := mutexes(2, "might_")
	a, b := ms[0], ms[1]
	o := lock.NewOwner("task 1", v)
	a.Lock(o)
	o.MightLock(b, lock.Exclusive)
	if len(o.Held()) != 1 {
		t.Fatalf("held after MightLock: %v", o.Held())
	}
	a.Unlock(o)
	if len(v.Reports()) != 0 {
		t.Fatalf("reports: %v", v.Reports())
	}
	b.Lock(o)
	a.Lock(o)
	a.Unlock(o)
	b.Unlock(o)
	onlyReport(t, v, lock.CircularDependency)

	off := lock.NewOwner("task 2", nil)
	off.MightLock(b, lock.Shared)
	if len(off.Held()) != 0 {
		t.Fatalf("held without a validator: %v", off.Held())
	}
}
