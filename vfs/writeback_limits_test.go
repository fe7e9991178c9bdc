package vfs_test

import (
	"math"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDirtyLimitsLargeBytes: dirty_bytes and dirty_background_bytes are
// turned into pages rounding up (domain_dirty_limits' DIV_ROUND_UP). The
// dirty throttling logic keeps its limits in 32 bits of pages, so a
// byte value of more than UINT_MAX pages is ERANGE with nothing changed
// (dirty_bytes_handler, dirty_background_bytes_handler; on the host
// `echo 1125899906842624 > /proc/sys/vm/dirty_bytes` is ERANGE), and a
// threshold from a ratio of a huge memory is clamped to UINT_MAX pages.
// A background limit not below the dirty one is halved.
func TestDirtyLimitsLargeBytes(t *testing.T) {
	const maxBytes = math.MaxUint32 * PAGE_SIZE // UINT_MAX pages
	cases := []struct {
		name           string
		budget         int64 // MemBudget; 0: the default
		ratio, bgRatio int64 // used when the bytes are 0
		bytes, bgBytes int64
		err            error
		want           DirtyThresholds
	}{
		{name: "exact pages", bytes: 2 * PAGE_SIZE, bgBytes: PAGE_SIZE, want: DirtyThresholds{Background: 1, Dirty: 2}},
		{name: "rounded up", bytes: 2*PAGE_SIZE + 1, bgBytes: 1, want: DirtyThresholds{Background: 1, Dirty: 3}},
		{name: "UINT_MAX pages", bytes: maxBytes, bgBytes: PAGE_SIZE, want: DirtyThresholds{Background: 1, Dirty: math.MaxUint32}},
		{name: "UINT_MAX pages background", bytes: 4 * PAGE_SIZE, bgBytes: maxBytes, want: DirtyThresholds{Background: 2, Dirty: 4}},
		{name: "a byte over UINT_MAX pages", bytes: maxBytes + 1, bgBytes: PAGE_SIZE, err: ERANGE},
		{name: "a byte over UINT_MAX pages background", bytes: 4 * PAGE_SIZE, bgBytes: maxBytes + 1, err: ERANGE},
		{name: "2^50 bytes", bytes: 1 << 50, bgBytes: PAGE_SIZE, err: ERANGE},
		{name: "max bytes", bytes: math.MaxInt64, bgBytes: PAGE_SIZE, err: ERANGE},
		{name: "max background bytes", bytes: 4 * PAGE_SIZE, bgBytes: math.MaxInt64, err: ERANGE},
		// 100% of a PiB: 2^38 pages, clamped to UINT_MAX; the
		// background 10% is above that and halved below it.
		{name: "ratio of a huge memory", budget: 1 << 50, ratio: 100, bgRatio: 10,
			want: DirtyThresholds{Background: math.MaxUint32 / 2, Dirty: math.MaxUint32}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := vt.New(t)
			if c.budget != 0 {
				v, tk, err := boot.New(Options{Lockdep: true, MemBudget: c.budget})
				if err != nil {
					t.Fatal(err)
				}
				e = &vt.Env{TB: t, V: v, Root: tk, T: tk}
				t.Cleanup(e.Check)
			}
			v := e.V
			before := v.DirtyTunables()
			d := DefaultDirtyTunables
			d.Bytes, d.Ratio = c.bytes, c.ratio
			d.BackgroundBytes, d.BackgroundRatio = c.bgBytes, c.bgRatio
			if err := v.SetDirtyTunables(d); err != c.err {
				t.Fatalf("SetDirtyTunables(%+v) = %v, want %v", d, err, c.err)
			}
			if c.err != nil {
				if got := v.DirtyTunables(); got != before {
					t.Errorf("after %v: tunables %+v, want unchanged %+v", c.err, got, before)
				}
				return
			}
			if got := v.DirtyLimits(); got != c.want {
				t.Errorf("DirtyLimits() = %+v, want %+v", got, c.want)
			}
		})
	}
}
