package vfs_test

import (
	"bytes"
	"strconv"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
	vt "github.com/vfscope/vfscope/vfs/internal/vfstest"
)

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
			// Twice the budget through the cache: it ends full of clean
			// pages, kswapd having left free memory near the high
			// watermark (32 KiB).
			fd := e.open("clean")
			e.pwrite(fd, bytes.Repeat([]byte{'c'}, 2*budget), 0)
			e.Root.Sync()
			e.pread(fd, 2*budget, 0)
			e.Must(e.Root.Close(fd))
			vt.WaitFor(t, "kswapd idle", func() bool { return !v.KswapdRunning() })
			// tmpfs pages, which reclaim leaves, until less than the
			// largest charge is free but more than the low watermark
			// (kswapd stays asleep).
			ffd, err := e.Root.Open("/t/fill", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			for p := int64(0); v.MemInfo().MemFree >= 40<<10; p++ {
				_, err := e.Root.Pwrite(ffd, make([]byte, PAGE_SIZE), p*PAGE_SIZE)
				e.Must(err)
			}
			e.Must(e.Root.Close(ffd))
			before := v.MemInfo()
			if low, _ := v.Watermarks(); before.MemFree < low || before.Cached-before.Shmem < 64<<10 {
				t.Fatalf("set-up: %d bytes free, %d cached (%d tmpfs); want more than %d free and 64 KiB of clean cache", before.MemFree, before.Cached, before.Shmem, low)
			}
			if err := e.Root.Setxattr("/t/x", "user.big", make([]byte, size), 0); err != nil {
				mi := v.MemInfo()
				t.Errorf("setxattr of %d bytes with %d bytes free and %d cached before: %v (now free %d, cached %d)",
					size, before.MemFree, before.Cached, err, mi.MemFree, mi.Cached)
			}
		})
	}
}
