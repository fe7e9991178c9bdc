package tmpfs

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestDirOffsetsCyclic: offsets are given as mtree_alloc_cyclic gives
// them in simple_offset_add (fs/libfs.c): the lowest free offset from
// the last one given plus one, wrapping from DIR_OFFSET_MAX (one below
// DIR_OFFSET_EOD) to DIR_OFFSET_MIN, skipping offsets in use.
func TestDirOffsetsCyclic(t *testing.T) {
	for _, c := range []struct {
		name  string
		next  int64   // where the search starts
		taken []int64 // offsets in use
		want  []int64 // the next offsets given
	}{
		{"from the start", dirOffsetMin, nil, []int64{3, 4, 5}},
		{"skips taken", 4, []int64{4, 5, 7}, []int64{6, 8, 9}},
		{"wraps at the maximum", dirOffsetMax - 1, nil, []int64{dirOffsetMax - 1, dirOffsetMax, 3, 4}},
		{"wraps past taken ones", dirOffsetMax, []int64{dirOffsetMax, 3, 4}, []int64{5, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			di := newDirInfo()
			for _, off := range c.taken {
				n := di.newNode(&vfs.Dentry{})
				di.store(n, off)
				di.pushHead(n)
			}
			di.next = c.next
			for i, w := range c.want {
				d := &vfs.Dentry{}
				di.add(d)
				if d.Offset != w {
					t.Fatalf("offset %d: got %d, want %d", i, d.Offset, w)
				}
				if di.head.d != d {
					t.Fatalf("offset %d: not the newest entry", i)
				}
			}
			for i := 1; i < len(di.ents); i++ {
				if di.ents[i-1].off >= di.ents[i].off {
					t.Fatalf("offset map out of order: %v", di.ents)
				}
			}
		})
	}
}
