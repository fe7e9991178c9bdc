package vfs

import (
	"sync"
	"time"

	"github.com/vfscope/vfscope/vfs/internal/atomic"
)

// The memory budget: a VFS has a fixed amount of memory (MemTotal in
// /proc/meminfo), and what it caches is charged against it: every page
// of the page cache (4 KiB), every dentry (DentryCost bytes) and every
// inode (InodeCost bytes). Linux's zone watermarks decide what happens as
// the budget fills (mm/page_alloc.c, mm/vmscan.c):
//
//   - free memory (budget - used) below the low watermark wakes kswapd,
//     the background reclaimer (vmscan_kswapd.go), which reclaims until
//     free memory is above the high watermark;
//   - a page-cache allocation that would go over the budget reclaims
//     first, in the allocating task (direct reclaim, vmscan.go), and fails
//     with ENOMEM when nothing can be reclaimed.
//
// The slack: the budget is checked before each page is allocated, so
// tasks allocating at the same moment may each go one page over it; and
// dentries and inodes are charged without direct reclaim (their
// allocations only wake kswapd, which prunes them), so a burst of them
// may overshoot until kswapd catches up. TestReclaimKeepsBudget measures
// both.

// Object sizes charged against the budget: Linux's on x86_64. A dentry is
// sizeof(struct dentry); an inode is about what a filesystem's inode
// with its private part takes (shmem_inode_info, ext4_inode_info are
// 700 to 1100 bytes; struct inode alone is about 600).
const (
	DentryCost = 192
	InodeCost  = 600
)

// Budget limits (Options.MemBudget).
const (
	// DefaultMemBudget is the budget of a VFS whose Options leave it 0.
	DefaultMemBudget = 256 << 20
	// MinMemBudget is the smallest budget: smaller values are raised to
	// it (the watermarks need a few pages between them).
	MinMemBudget = 32 * PAGE_SIZE
)

// reclaimState is the VFS's memory budget and reclaim state (struct
// pglist_data's reclaim part, for the VFS's one node).
type reclaimState struct {
	// budget is MemTotal in bytes; immutable after New.
	budget int64
	// wmarkLow and wmarkHigh are the watermarks, in bytes of free
	// memory: below low kswapd is woken, and it reclaims until free
	// memory is at least high. Immutable.
	wmarkLow, wmarkHigh int64

	// cachePressure is vm.vfs_cache_pressure (default 100): how hard
	// the dentry and inode shrinkers are pushed relative to the page
	// cache. Atomic.
	cachePressure atomic.Int64
	// dropCaches is vm.drop_caches's last value written. Atomic.
	dropCaches atomic.Int64

	// mu protects the fields below. A leaf lock outside the lock
	// model: never held across anything but these fields (like the
	// flusher's mu).
	mu sync.Mutex
	// kswapdRunning: the goroutine runs (or is about to); kswapdStopped:
	// Shutdown was called, never start again; kswapdPending: woken while
	// running, so it must look again before it ends.
	kswapdRunning, kswapdStopped, kswapdPending bool
	// kswapdWG counts the kswapd goroutine.
	kswapdWG sync.WaitGroup
	// progress is closed and replaced each time reclaim frees memory or
	// writeback ends a page while someone waits for that (waiters > 0):
	// direct reclaim and balance_dirty_pages sleep on it.
	progress chan struct{}
	// waiters counts tasks sleeping on progress; atomic, so the
	// wakers' fast path is one load.
	waiters atomic.Int32

	// stats are the reclaim counters (/proc/vmstat's pgscan, pgsteal...);
	// atomic.
	stats reclaimCounters
}

// reclaimCounters count what reclaim did, as /proc/vmstat does.
type reclaimCounters struct {
	scanned     atomic.Int64 // pgscan: inactive folios looked at
	stolen      atomic.Int64 // pgsteal: folios freed
	pageout     atomic.Int64 // ->writepage calls started by kswapd
	deactivated atomic.Int64 // pgdeactivate: active folios aged to inactive
	slabFreed   atomic.Int64 // dentries and inodes freed by the shrinkers
	kswapdRuns  atomic.Int64 // kswapd wakeups that started the goroutine
	direct      atomic.Int64 // allocations that entered direct reclaim
	oom         atomic.Int64 // allocations that failed with ENOMEM
	throttled   atomic.Int64 // balance_dirty_pages pauses
}

// ReclaimStats is a copy of the reclaim counters.
type ReclaimStats struct {
	Scanned, Stolen, Pageout, Deactivated, SlabFreed int64
	KswapdRuns, DirectReclaims, OOM, DirtyThrottled  int64
}

// ReclaimStats returns the reclaim counters.
func (v *VFS) ReclaimStats() ReclaimStats {
	s := &v.rc.stats
	return ReclaimStats{
		Scanned: s.scanned.Load(), Stolen: s.stolen.Load(), Pageout: s.pageout.Load(),
		Deactivated: s.deactivated.Load(), SlabFreed: s.slabFreed.Load(),
		KswapdRuns: s.kswapdRuns.Load(), DirectReclaims: s.direct.Load(), OOM: s.oom.Load(),
		DirtyThrottled: s.throttled.Load(),
	}
}

// initReclaim sets the budget and watermarks; called by New before the
// writeback tunables are applied (their limits are shares of the memory
// free past the high watermark and the page cache, dirtyableMemory).
func (v *VFS) initReclaim(opts Options) {
	rc := &v.rc
	b := opts.MemBudget
	if b <= 0 {
		b = DefaultMemBudget
	}
	b = max(b&PAGE_MASK, MinMemBudget)
	rc.budget = b
	rc.wmarkLow = max(b/32, 4*PAGE_SIZE)
	rc.wmarkHigh = max(b/16, 8*PAGE_SIZE)
	rc.cachePressure.Store(100)
	rc.progress = make(chan struct{})
}

// MemBudget returns the VFS's memory budget in bytes.
func (v *VFS) MemBudget() int64 { return v.rc.budget }

// Watermarks returns the low and high watermarks in bytes of free memory.
func (v *VFS) Watermarks() (low, high int64) { return v.rc.wmarkLow, v.rc.wmarkHigh }

// memUsed is the memory charged: page-cache pages, the spare pages of
// page chunks (pagealloc.go), dentries, inodes and what filesystems
// charged with ChargeKmem.
func (v *VFS) memUsed() int64 {
	return (v.pc.nrFilePages.Load()+v.pc.nrChunkSpare.Load())*PAGE_SIZE +
		v.stats.nrDentry.Load()*DentryCost +
		v.stats.nrInodes.Load()*InodeCost +
		v.stats.kmem.Load()
}

// MemUsed returns the bytes charged against the budget.
func (v *VFS) MemUsed() int64 { return v.memUsed() }

// memFree is the budget left (negative when over it).
func (v *VFS) memFree() int64 { return v.rc.budget - v.memUsed() }

// reclaimable reports whether reclaim could free anything now or after
// writeback: page-cache pages that are not swap-backed, or unused
// dentries and inodes.
func (v *VFS) reclaimable() bool {
	return v.pc.nrFilePages.Load() > v.pc.nrShmem.Load() ||
		v.stats.nrUnused.Load() > 0 || v.stats.nrUnusedI.Load() > 0
}

// VfsCachePressure returns vm.vfs_cache_pressure.
func (v *VFS) VfsCachePressure() int64 { return v.rc.cachePressure.Load() }

// SetVfsCachePressure sets vm.vfs_cache_pressure. Errors: EINVAL for a
// negative value (the sysctl's minimum is 0), nothing changes then.
func (v *VFS) SetVfsCachePressure(p int64) error {
	if p < 0 || p > 1<<31-1 {
		return EINVAL
	}
	v.rc.cachePressure.Store(p)
	return nil
}

// ---- waiting for progress ----

// reclaimProgress wakes the tasks waiting for memory to be freed or for
// writeback to end a page. One atomic load when nobody waits.
func (v *VFS) reclaimProgress() {
	rc := &v.rc
	if rc.waiters.Load() == 0 {
		return
	}
	rc.mu.Lock()
	close(rc.progress)
	rc.progress = make(chan struct{})
	rc.mu.Unlock()
}

// WritebackProgress is called as a folio's writeback ends
// (FolioEndWriteback): tasks throttled in balance_dirty_pages and direct
// reclaim waiting for writeback wake up to look again.
func (v *VFS) WritebackProgress() { v.reclaimProgress() }

// waitProgress sleeps until reclaimProgress runs or timeout passes
// (reclaim_throttle's bounded wait, as Linux's HZ/10). The caller holds
// no spinlock. It yields to the scheduler, so a single-threaded wasm
// runtime runs the flusher and kswapd meanwhile.
func (v *VFS) waitProgress(t *Task, timeout time.Duration) {
	t.o.MightSleep("reclaim_throttle")
	rc := &v.rc
	rc.waiters.Add(1)
	rc.mu.Lock()
	ch := rc.progress
	rc.mu.Unlock()
	tm := time.NewTimer(timeout)
	v.timedSleepBegin()
	select {
	case <-ch:
	case <-tm.C:
	}
	v.timedSleepEnd()
	tm.Stop()
	rc.waiters.Add(-1)
}

// slabCharged is called as a dentry is allocated: dentries and inodes
// are not reclaimed in the allocating task (see the slack above), but
// with the budget nearly used kswapd is woken to prune them.
func (v *VFS) slabCharged() {
	if v.memFree() < v.rc.wmarkLow {
		v.wakeupKswapd()
	}
}
