package vfs

import (
	"testing"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// TestPrepublishStores checks that each plain store lands where the
// atomic type's Load reads.
func TestPrepublishStores(t *testing.T) {
	var (
		u32 atomic.Uint32
		i32 atomic.Int32
		u64 atomic.Uint64
		i64 atomic.Int64
		p   atomic.Pointer[Dentry]
	)
	d := &Dentry{}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"Uint32", func() bool { initU32(&u32, 0xdeadbeef); return u32.Load() == 0xdeadbeef }()},
		{"Int32", func() bool { initI32(&i32, -7); return i32.Load() == -7 }()},
		{"Uint64", func() bool { initU64(&u64, 1<<63|5); return u64.Load() == 1<<63|5 }()},
		{"Int64", func() bool { initI64(&i64, -1<<40); return i64.Load() == -1<<40 }()},
		{"Pointer", func() bool { initPtr(&p, d); return p.Load() == d }()},
		{"Pointer nil", func() bool { initPtr(&p, nil); return p.Load() == nil }()},
	} {
		if !tc.ok {
			t.Errorf("%s: the plain store is not what Load reads", tc.name)
		}
	}
}
