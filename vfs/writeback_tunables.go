package vfs

import (
	"math"
	"math/bits"
	"sync"
	"time"
)

// DirtyTunables are the vm.dirty_* sysctls of mm/page-writeback.c, one
// set per VFS (Linux has one per system). RECLAIM's /proc/sys/vm files
// read them with VFS.DirtyTunables and write them with
// VFS.SetDirtyTunable.
//
// A ratio is a percentage of the dirtyable memory (dirtyableMemory); a
// byte value, when not zero, replaces its ratio, as on Linux: writing
// dirty_bytes zeroes dirty_ratio and the other way round (see with).
type DirtyTunables struct {
	// BackgroundRatio (dirty_background_ratio, default 10): the flusher
	// starts writing back in the background above this share.
	BackgroundRatio int64
	// BackgroundBytes (dirty_background_bytes, default 0 = use the ratio).
	BackgroundBytes int64
	// Ratio (dirty_ratio, default 20): writers are throttled above it
	// (balance_dirty_pages).
	Ratio int64
	// Bytes (dirty_bytes, default 0 = use the ratio).
	Bytes int64
	// ExpireCentisecs (dirty_expire_centisecs, default 3000): data dirty
	// for longer is written by the flusher's periodic pass.
	ExpireCentisecs int64
	// WritebackCentisecs (dirty_writeback_centisecs, default 500): the
	// flusher's period (WritebackPeriod); 0 switches periodic writeback
	// off. Any int, negative too, as Linux takes it (proc_dointvec).
	WritebackCentisecs int64
	// DirtytimeExpireSeconds (dirtytime_expire_seconds, default 43200):
	// on a lazytime mount, timestamps dirty for longer are written back
	// by the flusher; 0 writes them with every writeback pass.
	DirtytimeExpireSeconds int64
}

// DefaultDirtyTunables are Linux's defaults.
var DefaultDirtyTunables = DirtyTunables{
	BackgroundRatio:        10,
	Ratio:                  20,
	ExpireCentisecs:        3000,
	WritebackCentisecs:     500,
	DirtytimeExpireSeconds: 12 * 60 * 60,
}

// dirtyBytesMin is dirty_bytes_min: dirty_bytes below two pages is
// EINVAL.
const dirtyBytesMin = 2 * PAGE_SIZE

// dirtyPagesMax is UINT_MAX: the dirty throttling logic keeps its limits
// in pages in 32 bits (16 TiB), so dirty_bytes and
// dirty_background_bytes of more pages are ERANGE, and a threshold
// derived from a ratio is clamped to it ("mm: avoid overflows in dirty
// throttling logic").
const dirtyPagesMax = math.MaxUint32

// dirtyBytesTooLarge reports a byte tunable of more than UINT_MAX pages
// (DIV_ROUND_UP(bytes, PAGE_SIZE) > UINT_MAX).
func dirtyBytesTooLarge(bytes int64) bool { return bytesToPages(bytes) > dirtyPagesMax }

// DirtyTunableNames are the names of the tunables as /proc/sys/vm has
// them, in that directory's order.
var DirtyTunableNames = []string{
	"dirty_background_bytes",
	"dirty_background_ratio",
	"dirty_bytes",
	"dirty_expire_centisecs",
	"dirty_ratio",
	"dirty_writeback_centisecs",
	"dirtytime_expire_seconds",
}

// Validate reports EINVAL for a value the sysctl would refuse:
// ratios outside 0..100, dirty_bytes other than 0 below two pages,
// negative bytes, dirty_expire_centisecs or dirtytime_expire_seconds,
// and centiseconds or seconds outside int (proc_dointvec_minmax). It
// reports ERANGE for dirty_bytes or dirty_background_bytes of more than
// UINT_MAX pages (dirty_bytes_handler, dirty_background_bytes_handler).
// dirty_writeback_centisecs may be negative: Linux's handler is plain
// proc_dointvec, without bounds.
func (d DirtyTunables) Validate() error {
	switch {
	case d.BackgroundRatio < 0 || d.BackgroundRatio > 100,
		d.Ratio < 0 || d.Ratio > 100,
		d.BackgroundBytes < 0,
		d.Bytes < 0 || (d.Bytes != 0 && d.Bytes < dirtyBytesMin),
		d.ExpireCentisecs < 0 || d.ExpireCentisecs > math.MaxInt32,
		d.WritebackCentisecs < math.MinInt32 || d.WritebackCentisecs > math.MaxInt32,
		d.DirtytimeExpireSeconds < 0 || d.DirtytimeExpireSeconds > math.MaxInt32:
		return EINVAL
	case dirtyBytesTooLarge(d.Bytes), dirtyBytesTooLarge(d.BackgroundBytes):
		return ERANGE
	}
	return nil
}

// WritebackPeriod is the flusher's period as Linux computes it from
// dirty_writeback_centisecs; 0 when periodic writeback is off. Linux
// keeps the value in the unsigned int dirty_writeback_interval and waits
// dirty_writeback_interval * 10 milliseconds, in unsigned int arithmetic
// (fs/fs-writeback.c wb_wakeup_delayed, wb_check_old_data_flush): -1 is
// 4294967286 ms, about 50 days, and large values wrap. The one non-zero
// value whose product wraps to 0 (INT_MIN) makes Linux requeue its work
// at once; here it is 1 ms, so the flusher never spins.
func (d DirtyTunables) WritebackPeriod() time.Duration {
	if d.WritebackCentisecs == 0 {
		return 0
	}
	ms := uint32(d.WritebackCentisecs) * 10
	return max(time.Duration(ms)*time.Millisecond, time.Millisecond)
}

// Get returns the tunable named as in /proc/sys/vm; ok is false for an
// unknown name.
func (d DirtyTunables) Get(name string) (v int64, ok bool) {
	switch name {
	case "dirty_background_bytes":
		return d.BackgroundBytes, true
	case "dirty_background_ratio":
		return d.BackgroundRatio, true
	case "dirty_bytes":
		return d.Bytes, true
	case "dirty_expire_centisecs":
		return d.ExpireCentisecs, true
	case "dirty_ratio":
		return d.Ratio, true
	case "dirty_writeback_centisecs":
		return d.WritebackCentisecs, true
	case "dirtytime_expire_seconds":
		return d.DirtytimeExpireSeconds, true
	}
	return 0, false
}

// with returns d with the named tunable set as a write to its
// /proc/sys/vm file sets it: a ratio zeroes its byte twin and a byte
// value its ratio, except that dirty_ratio and dirty_bytes written with
// the value they have change nothing (dirty_ratio_handler and
// dirty_bytes_handler zero the twin only when the value changes; the
// background pair's handlers always do). Errors: ENOENT for an unknown
// name; EINVAL for a value the file refuses (dirty_background_bytes and
// dirty_bytes are written as non-zero: 0 is EINVAL, as
// proc_doulongvec_minmax's minimum of 1 and of two pages makes it);
// ERANGE for more than UINT_MAX pages' worth of bytes (the handlers put
// the old value back).
func (d DirtyTunables) with(name string, v int64) (DirtyTunables, error) {
	switch name {
	case "dirty_background_bytes":
		if v < 1 {
			return d, EINVAL
		}
		if dirtyBytesTooLarge(v) {
			return d, ERANGE
		}
		d.BackgroundBytes, d.BackgroundRatio = v, 0
	case "dirty_background_ratio":
		d.BackgroundRatio, d.BackgroundBytes = v, 0
	case "dirty_bytes":
		if v < dirtyBytesMin {
			return d, EINVAL
		}
		if v != d.Bytes {
			if dirtyBytesTooLarge(v) {
				return d, ERANGE
			}
			d.Bytes, d.Ratio = v, 0
		}
	case "dirty_ratio":
		if v != d.Ratio {
			d.Ratio, d.Bytes = v, 0
		}
	case "dirty_expire_centisecs":
		d.ExpireCentisecs = v
	case "dirty_writeback_centisecs":
		d.WritebackCentisecs = v
	case "dirtytime_expire_seconds":
		d.DirtytimeExpireSeconds = v
	default:
		return d, ENOENT
	}
	return d, d.Validate()
}

// dirtyTunablesBox holds a VFS's tunables.
type dirtyTunablesBox struct {
	// mu protects set and d. A leaf lock outside the lock model: it is
	// never held across anything but a copy.
	mu  sync.Mutex
	set bool // d was set; otherwise DefaultDirtyTunables apply
	d   DirtyTunables
}

// DirtyTunables returns the VFS's current vm.dirty_* values.
func (v *VFS) DirtyTunables() DirtyTunables {
	b := &v.wb.tunables
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.set {
		return DefaultDirtyTunables
	}
	return b.d
}

// SetDirtyTunables replaces all the tunables at once. Errors: EINVAL or
// ERANGE if any value is out of range (Validate); nothing changes then.
func (v *VFS) SetDirtyTunables(d DirtyTunables) error {
	if err := d.Validate(); err != nil {
		return err
	}
	b := &v.wb.tunables
	b.mu.Lock()
	b.d, b.set = d, true
	b.mu.Unlock()
	v.dirtyTunablesChanged()
	return nil
}

// SetDirtyTunable writes one tunable as its /proc/sys/vm file does
// (see DirtyTunables.with). Errors: ENOENT for an unknown name, EINVAL
// or ERANGE for a refused value; nothing changes then.
func (v *VFS) SetDirtyTunable(name string, value int64) error {
	b := &v.wb.tunables
	b.mu.Lock()
	cur := b.d
	if !b.set {
		cur = DefaultDirtyTunables
	}
	nd, err := cur.with(name, value)
	if err == nil {
		b.d, b.set = nd, true
	}
	b.mu.Unlock()
	if err == nil {
		v.dirtyTunablesChanged()
		// dirty_writeback_centisecs_handler: "a different non-zero value
		// will wakeup the writeback threads", which also restarts the
		// periodic writeback a 0 had stopped, for inodes already dirty.
		if nd.WritebackCentisecs != 0 && nd.WritebackCentisecs != cur.WritebackCentisecs {
			v.WakeupFlusherThreads("periodic")
		}
	}
	return err
}

// dirtyableMemory is global_dirtyable_memory() in pages: the memory the
// dirty ratios are shares of, which is the memory that can hold page
// cache without reclaiming anything else: the free pages past the
// reserve (Linux's totalreserve_pages, the high watermark of the VFS's
// one zone) and the page cache on the file LRU lists, which does not
// take in tmpfs pages (Linux keeps them on the anon lists); one more so
// that it is never 0. So dentries, inodes, kmem, chunk spare pages and
// tmpfs data lower the dirty thresholds, as slab and shmem do on Linux.
func (v *VFS) dirtyableMemory() int64 {
	pc := &v.pc
	free := max(v.memFree(), 0) / PAGE_SIZE
	free -= min(free, v.rc.wmarkHigh/PAGE_SIZE)
	return free + max(pc.nrFilePages.Load()-pc.nrShmem.Load(), 0) + 1
}

// DirtyThresholds are the limits computed from the tunables
// (domain_dirty_limits), in pages.
type DirtyThresholds struct {
	Background int64 // the flusher writes in the background above it
	Dirty      int64 // writers are throttled above it
}

// DirtyLimits is global_dirty_limits(): the thresholds in pages. As on
// Linux, a background threshold not below the dirty one is halved to
// half of it, and the dirty threshold is at most UINT_MAX pages (the
// byte tunables cannot exceed it; a ratio of a huge memory could),
// the background one then again below it.
func (v *VFS) DirtyLimits() DirtyThresholds {
	d := v.DirtyTunables()
	avail := v.dirtyableMemory()
	var th DirtyThresholds
	if d.Bytes != 0 {
		th.Dirty = bytesToPages(d.Bytes)
	} else {
		th.Dirty = ratioOfPages(d.Ratio, avail)
	}
	if d.BackgroundBytes != 0 {
		th.Background = bytesToPages(d.BackgroundBytes)
	} else {
		th.Background = ratioOfPages(d.BackgroundRatio, avail)
	}
	if th.Background >= th.Dirty {
		th.Background = th.Dirty / 2
	}
	if th.Dirty > dirtyPagesMax {
		th.Dirty = dirtyPagesMax
	}
	if th.Background >= th.Dirty {
		th.Background = th.Dirty / 2
	}
	return th
}

// ratioOfPages is a ratio's threshold as domain_dirty_limits computes
// it: the percentage first made per-PAGE_SIZE ("for higher precision",
// ratio * PAGE_SIZE / 100, truncated), then that share of avail pages,
// truncated again. So 20% of 1000 pages is 819 * 1000 / 4096 = 199, not
// 200. The product is taken in 128 bits and the quotient clamped, where
// Linux's unsigned long could only wrap for a memory of 2^54 pages.
func ratioOfPages(percent, avail int64) int64 {
	perPage := uint64(percent) * PAGE_SIZE / 100
	hi, lo := bits.Mul64(perPage, uint64(avail))
	if hi >= PAGE_SIZE {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, PAGE_SIZE)
	return int64(min(q, math.MaxInt64))
}

// bytesToPages is DIV_ROUND_UP(bytes, PAGE_SIZE) for a byte tunable:
// the quotient rounded up without adding first, so that a value near
// 1<<63 gives its page count rather than wrapping negative (Linux's
// unsigned long does not wrap there either), for dirtyBytesTooLarge to
// refuse.
func bytesToPages(bytes int64) int64 {
	n := bytes / PAGE_SIZE
	if bytes%PAGE_SIZE != 0 {
		n++
	}
	return n
}
