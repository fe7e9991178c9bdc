package lock

import "testing"

// TestLockTagKeepsSubclassAndObject: Init and SetObject, in either
// order, leave each other's half of the packed word alone.
func TestLockTagKeepsSubclassAndObject(t *testing.T) {
	c := NewClass("tagtest", KindRWSem)
	sc := NewClass("tagtest-spin", KindSpin)
	for _, tc := range []struct {
		name     string
		sub      uint8
		kind     ObjKind
		id       uint64
		objFirst bool
	}{
		{"init first", 3, ObjInode, 42, false},
		{"object first", 5, ObjDentry, 1<<47 + 7, true},
		{"max subclass", 255, ObjInode, 1<<48 - 1, false},
		{"no object", 2, ObjNone, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r RWSem
			var s SpinLock
			if tc.objFirst {
				r.SetObject(tc.kind, tc.id)
				s.SetObject(tc.kind, tc.id)
			}
			r.Init(c, tc.sub)
			s.Init(sc, tc.sub)
			if !tc.objFirst {
				r.SetObject(tc.kind, tc.id)
				s.SetObject(tc.kind, tc.id)
			}
			// A second Init (a new directory inode changes its
			// i_rwsem's class) keeps the object.
			r.Init(c, tc.sub)
			want := object{tc.kind, tc.id}
			for _, l := range []Lock{&r, &s} {
				if got := objectOf(l); got != want {
					t.Errorf("%T object %+v, want %+v", l, got, want)
				}
				if got := l.Subclass(); got != tc.sub {
					t.Errorf("%T subclass %d, want %d", l, got, tc.sub)
				}
			}
		})
	}
}
