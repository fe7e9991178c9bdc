package vfs_test

import (
	"bytes"
	"strconv"
	"sync"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// rcFillKmem sets e up with clean page cache of cleanBytes (written and
// synced, never read back, so that it is neither activated nor ever
// reclaimed during the set-up) and then charges kmem a page at a time
// until less than freeBelow is free. Set-up that never lets free memory
// fall below the low watermark: kswapd is never woken, whose reclaim in
// batches of SWAP_CLUSTER_MAX pages leaves anything from the high
// watermark to most of the budget free, depending on how its passes and
// the reading task's direct reclaim interleave.
func rcFillKmem(e *rcEnv, cleanBytes int, freeBelow int64) {
	v := e.V
	fd := e.open("clean")
	e.pwrite(fd, bytes.Repeat([]byte{'c'}, cleanBytes), 0)
	e.Root.Sync()
	e.Must(e.Root.Close(fd))
	for v.MemInfo().MemFree >= freeBelow {
		e.Must(e.Root.ChargeKmem(PAGE_SIZE))
	}
	mi := v.MemInfo()
	if low, _ := v.Watermarks(); mi.MemFree < low || mi.Cached-mi.Shmem < int64(cleanBytes) || mi.Dirty != 0 {
		e.TB.Fatalf("set-up: %d bytes free, %d cached (%d tmpfs, %d dirty); want more than %d free and %d bytes of clean cache",
			mi.MemFree, mi.Cached, mi.Shmem, mi.Dirty, low, cleanBytes)
	}
	if runs := v.ReclaimStats().KswapdRuns; runs != 0 {
		e.TB.Fatalf("set-up: kswapd ran %d times", runs)
	}
}

// TestChargeKmemReclaimsEnough: a charge of more than a page (a tmpfs
// xattr's kmalloc) with the budget full of clean page cache reclaims
// until the whole charge fits, not until one page is free: with free
// memory between a page and the charge, reclaiming to one page freed
// nothing and the charge was ENOMEM.
func TestChargeKmemReclaimsEnough(t *testing.T) {
	const budget = 256 << 10
	for _, size := range []int{PAGE_SIZE, 60 << 10, XATTR_SIZE_MAX} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			e := newRCEnv(t, budget)
			v := e.V
			e.Must(e.Root.Mkdir("/t", 0o777))
			e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, "size=0,nr_inodes=0"))
			tfd, err := e.Root.Open("/t/x", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			e.Must(e.Root.Close(tfd))
			// 96 KiB of clean cache, and less than the largest charge
			// free but more than the low watermark.
			rcFillKmem(e, 96<<10, 40<<10)
			before := v.MemInfo()
			if err := e.Root.Setxattr("/t/x", "user.big", make([]byte, size), 0); err != nil {
				mi := v.MemInfo()
				t.Errorf("setxattr of %d bytes with %d bytes free and %d cached before: %v (now free %d, cached %d)",
					size, before.MemFree, before.Cached, err, mi.MemFree, mi.Cached)
			}
		})
	}
}

// TestChargeKmemConcurrent: charges racing each other and kswapd with
// enough clean cache for all of them all succeed. A charge decides on
// whether it fits after its reclaim (the page allocator's retry), not on
// whether free memory grew since before it: another charge taking the
// room this task's reclaim found already free, or kswapd freeing it
// before, made that comparison fail a charge that fit.
func TestChargeKmemConcurrent(t *testing.T) {
	const (
		budget = 256 << 10
		rounds = 20
	)
	for _, tc := range []struct {
		clean, charge, workers int
	}{
		{96 << 10, 5 * PAGE_SIZE, 5},
		{96 << 10, 6 * PAGE_SIZE, 4},
		{96 << 10, 8 * PAGE_SIZE, 3},
		{160 << 10, 5 * PAGE_SIZE, 8},
		{160 << 10, 8 * PAGE_SIZE, 5},
	} {
		t.Run(strconv.Itoa(tc.clean)+"/"+strconv.Itoa(tc.charge)+"x"+strconv.Itoa(tc.workers), func(t *testing.T) {
			for r := 0; r < rounds; r++ {
				e := newRCEnv(t, budget)
				v := e.V
				rcFillKmem(e, tc.clean, int64(tc.charge))
				// Less than one charge's room is free, and the clean
				// cache with it holds all of them.
				var wg sync.WaitGroup
				errs := make([]error, tc.workers)
				start := make(chan struct{})
				for i := range tc.workers {
					c := e.Root.Fork("charger" + strconv.Itoa(i))
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[i] = c.ChargeKmem(int64(tc.charge))
						c.Exit()
					}()
				}
				close(start)
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						mi := v.MemInfo()
						t.Fatalf("round %d: charger %d: %v (now free %d, cached %d)", r, i, err, mi.MemFree, mi.Cached)
					}
				}
			}
		})
	}
}
