package vfs_test

import (
	"math"
	"testing"
	"time"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

// TestDirtyWritebackCentisecsSigned: dirty_writeback_centisecs takes
// any int, as Linux's dirty_writeback_centisecs_handler does (plain
// proc_dointvec, no bounds: `echo -1 >` is accepted and reads back as
// -1), and its period is what Linux computes from it: the value is the
// unsigned int dirty_writeback_interval, times 10 ms in unsigned int
// arithmetic (mm/page-writeback.c, fs/fs-writeback.c wb_wakeup_delayed
// and wb_check_old_data_flush: dirty_writeback_interval * 10). So -1 is
// 4294967286 ms, about 50 days: periodic writeback practically off.
// dirty_expire_centisecs keeps its minimum of 0 (proc_dointvec_minmax,
// extra1 SYSCTL_ZERO), and a value outside int is EINVAL for both.
func TestDirtyWritebackCentisecsSigned(t *testing.T) {
	cases := []struct {
		name   string
		value  int64
		want   error
		period time.Duration // of dirty_writeback_centisecs after the write
	}{
		{"dirty_writeback_centisecs", 500, nil, 5 * time.Second},
		{"dirty_writeback_centisecs", 0, nil, 0},
		{"dirty_writeback_centisecs", -1, nil, 4294967286 * time.Millisecond},
		{"dirty_writeback_centisecs", -5, nil, 4294967246 * time.Millisecond},
		// 429496730 * 10 wraps to 4 ms in unsigned int.
		{"dirty_writeback_centisecs", 429496730, nil, 4 * time.Millisecond},
		{"dirty_writeback_centisecs", math.MaxInt32, nil, 4294967286 * time.Millisecond},
		// INT_MIN * 10 wraps to 0 ms, not 0 centisecs: Linux requeues
		// its work at once; the flusher here waits one millisecond.
		{"dirty_writeback_centisecs", math.MinInt32, nil, time.Millisecond},
		{"dirty_writeback_centisecs", math.MaxInt32 + 1, EINVAL, 5 * time.Second},
		{"dirty_writeback_centisecs", math.MinInt32 - 1, EINVAL, 5 * time.Second},
		{"dirty_expire_centisecs", -1, EINVAL, 5 * time.Second},
		{"dirty_expire_centisecs", math.MaxInt32 + 1, EINVAL, 5 * time.Second},
	}
	w := newWBEnv(t)
	v := w.V
	for _, c := range cases {
		v.SetDirtyTunables(DefaultDirtyTunables)
		err := v.SetDirtyTunable(c.name, c.value)
		if err != c.want {
			t.Errorf("%s = %d: %v, want %v", c.name, c.value, err, c.want)
		}
		wantGet := c.value
		if c.want != nil {
			wantGet, _ = DefaultDirtyTunables.Get(c.name)
		}
		if got, _ := v.DirtyTunables().Get(c.name); got != wantGet {
			t.Errorf("%s = %d: reads back %d, want %d", c.name, c.value, got, wantGet)
		}
		if got := v.DirtyTunables().WritebackPeriod(); got != c.period {
			t.Errorf("%s = %d: period %v, want %v", c.name, c.value, got, c.period)
		}
	}
}

// TestDirtyTunableBounds: the bounds of a write to /proc/sys/vm:
// dirtytime_expire_seconds is an int of at least 0 (proc_dointvec_minmax:
// on the host `echo 2147483648 > dirtytime_expire_seconds` is EINVAL);
// dirty_bytes and dirty_background_bytes of more than UINT_MAX pages are
// ERANGE (dirty_bytes_handler and dirty_background_bytes_handler put the
// old value back), UINT_MAX pages exactly is taken. dirty_bytes written
// with the value it has changes nothing and so is no error.
func TestDirtyTunableBounds(t *testing.T) {
	const maxBytes = math.MaxUint32 * PAGE_SIZE
	cases := []struct {
		name   string
		before int64 // written first when not 0
		value  int64
		want   error
	}{
		{"dirtytime_expire_seconds", 0, 0, nil},
		{"dirtytime_expire_seconds", 0, math.MaxInt32, nil},
		{"dirtytime_expire_seconds", 0, math.MaxInt32 + 1, EINVAL},
		{"dirtytime_expire_seconds", 0, 1 << 40, EINVAL},
		{"dirtytime_expire_seconds", 0, -1, EINVAL},
		{"dirty_bytes", 0, maxBytes, nil},
		{"dirty_bytes", 0, maxBytes + 1, ERANGE},
		{"dirty_bytes", 0, 1 << 50, ERANGE},
		{"dirty_bytes", 0, math.MaxInt64, ERANGE},
		{"dirty_bytes", maxBytes, maxBytes, nil},
		{"dirty_bytes", maxBytes, maxBytes + 1, ERANGE},
		{"dirty_background_bytes", 0, maxBytes, nil},
		{"dirty_background_bytes", 0, maxBytes + 1, ERANGE},
		{"dirty_background_bytes", 0, math.MaxInt64, ERANGE},
	}
	w := newWBEnv(t)
	v := w.V
	for _, c := range cases {
		v.SetDirtyTunables(DefaultDirtyTunables)
		if c.before != 0 {
			w.Must(v.SetDirtyTunable(c.name, c.before))
		}
		before := v.DirtyTunables()
		err := v.SetDirtyTunable(c.name, c.value)
		if err != c.want {
			t.Errorf("%s = %d: %v, want %v", c.name, c.value, err, c.want)
		}
		if c.want != nil {
			if got := v.DirtyTunables(); got != before {
				t.Errorf("%s = %d: tunables %+v, want unchanged %+v", c.name, c.value, got, before)
			}
		} else if got, _ := v.DirtyTunables().Get(c.name); got != c.value {
			t.Errorf("%s = %d: reads back %d", c.name, c.value, got)
		}
	}
}

// TestFlusherNegativeWritebackCentisecs: with dirty_writeback_centisecs
// at -1 an expired inode stays dirty (the periodic pass is about 50 days
// away) and the flusher does not spin; fsync still writes it.
func TestFlusherNegativeWritebackCentisecs(t *testing.T) {
	w := newWBEnv(t)
	w.Must(w.V.SetDirtyTunable("dirty_expire_centisecs", 1))
	w.Must(w.V.SetDirtyTunable("dirty_writeback_centisecs", -1))
	// A new non-zero value wakes the flusher to write what is dirty
	// (dirty_writeback_centisecs_handler): let that pass end first.
	vt.WaitFor(t, "the flusher woken by the new value to finish", func() bool { _, running := w.V.FlusherStats(); return !running })
	before, _ := w.V.FlusherStats()
	fd := w.create("f", "stays")
	ino := w.ino("f")
	time.Sleep(150 * time.Millisecond) // 15 times dirty_expire_centisecs
	st, _ := w.V.FlusherStats()
	if st.Kupdate != before.Kupdate || st.Pages != before.Pages {
		t.Errorf("flusher stats %+v (before f: %+v): want no periodic pass", st, before)
	}
	if got := w.fs.onDisk(ino, 5); got == "stays" {
		t.Errorf("the flusher wrote f with periodic writeback at -1")
	}
	if w.V.MemStat().Dirty != 1 {
		t.Errorf("dirty pages %d, want 1", w.V.MemStat().Dirty)
	}
	w.Must(w.T.Fsync(fd))
	if got := w.fs.onDisk(ino, 5); got != "stays" {
		t.Errorf("after fsync the disk has %q", got)
	}
}

// TestDirtyRatioBytesSameValue: writing dirty_ratio or dirty_bytes with
// the value it has changes nothing, so the twin set before stays
// (dirty_ratio_handler and dirty_bytes_handler zero it only when the
// value changes); the background pair's handlers zero the twin on any
// write.
func TestDirtyRatioBytesSameValue(t *testing.T) {
	type write struct {
		name  string
		value int64
	}
	cases := []struct {
		name   string
		writes []write
		check  string // the tunable to read after the writes
		want   int64
	}{
		{"dirty_ratio unchanged keeps dirty_bytes",
			[]write{{"dirty_bytes", 1 << 30}, {"dirty_ratio", 0}}, "dirty_bytes", 1 << 30},
		{"dirty_ratio changed zeroes dirty_bytes",
			[]write{{"dirty_bytes", 1 << 30}, {"dirty_ratio", 5}}, "dirty_bytes", 0},
		{"dirty_bytes unchanged is still dirty_bytes",
			[]write{{"dirty_bytes", 1 << 30}, {"dirty_bytes", 1 << 30}}, "dirty_bytes", 1 << 30},
		{"dirty_background_ratio unchanged zeroes dirty_background_bytes",
			[]write{{"dirty_background_bytes", 1 << 20}, {"dirty_background_ratio", 0}}, "dirty_background_bytes", 0},
	}
	w := newWBEnv(t)
	v := w.V
	for _, c := range cases {
		v.SetDirtyTunables(DefaultDirtyTunables)
		for _, wr := range c.writes {
			w.Must(v.SetDirtyTunable(wr.name, wr.value))
		}
		if got, _ := v.DirtyTunables().Get(c.check); got != c.want {
			t.Errorf("%s: %s = %d, want %d (%+v)", c.name, c.check, got, c.want, v.DirtyTunables())
		}
	}
}

// TestDirtyableMemory: the dirty thresholds are shares of
// global_dirtyable_memory(): the free pages past the high watermark
// (Linux's totalreserve_pages) plus the page cache reclaim can free, plus
// one, not of the whole budget. tmpfs data (on the anon lists on Linux)
// lowers them; clean page cache takes the place of free memory. On the
// host, nr_dirty_threshold in /proc/vmstat is dirty_ratio percent of
// MemFree minus the reserves plus Active(file) and Inactive(file).
func TestDirtyableMemory(t *testing.T) {
	const budget = 4 << 20
	cases := []struct {
		name string
		fill func(e *rcEnv)
	}{
		{"empty", func(e *rcEnv) {}},
		{"tmpfs data", func(e *rcEnv) {
			e.Must(e.Root.Mkdir("/t", 0o777))
			e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, "size=0"))
			fd, err := e.Root.Open("/t/x", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			_, err = e.Root.Pwrite(fd, make([]byte, budget/2), 0)
			e.Must(err)
			e.Must(e.Root.Close(fd))
		}},
		{"clean page cache", func(e *rcEnv) {
			fd := e.open("clean")
			e.pwrite(fd, make([]byte, budget/2), 0)
			e.Must(e.Root.Close(fd))
			e.Root.Sync()
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newRCEnv(t, budget)
			v := e.V
			c.fill(e)
			st := v.MemStat()
			_, high := v.Watermarks()
			free := max(budget-v.MemUsed(), 0) / PAGE_SIZE
			free -= min(free, high/PAGE_SIZE)
			avail := free + st.FilePages - st.Shmem + 1
			want := DirtyThresholds{Background: 10 * PAGE_SIZE / 100 * avail / PAGE_SIZE, Dirty: 20 * PAGE_SIZE / 100 * avail / PAGE_SIZE}
			if got := v.DirtyLimits(); got != want {
				t.Errorf("DirtyLimits() = %+v, want %+v (dirtyable %d pages: %d free past the reserve, %d file, %d shmem)",
					got, want, avail, free, st.FilePages, st.Shmem)
			}
			if c.name == "tmpfs data" && want.Dirty > 20*(budget/PAGE_SIZE/2)/100 {
				t.Errorf("half the budget in tmpfs leaves a dirty threshold of %d pages", want.Dirty)
			}
		})
	}
}
