package vfs_test

import (
	"bytes"
	"fmt"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// TestChunkSpareWithinBudget: a large file's new page chunk charges its
// spare pages only when they fit in the budget (pagealloc.go), so tmpfs
// files, which reclaim cannot free, never take the memory used more than
// the per-allocation slack past the budget: neither many large files
// each starting a chunk as the budget fills, nor a large file starting
// its 2 MiB chunk when small files have left a page or two free.
func TestChunkSpareWithinBudget(t *testing.T) {
	const budget = 64 << 20
	pg := bytes.Repeat([]byte{'x'}, PAGE_SIZE)
	cases := []struct {
		name string
		fill func(t *testing.T, e *rcEnv, maxUsed *int64)
	}{
		{"many large files", func(t *testing.T, e *rcEnv, maxUsed *int64) {
			// 40 files of 513 pages: 80 MiB of tmpfs in a 64 MiB
			// budget, each file starting chunks of 16 and 512 pages.
			for i := 0; i < 40; i++ {
				fd, err := e.Root.Open(fmt.Sprintf("/t/f%d", i), O_CREAT|O_RDWR, 0o644)
				e.Must(err)
				for p := 0; p < 513; p++ {
					_, err := e.Root.Pwrite(fd, pg, int64(p)*PAGE_SIZE)
					*maxUsed = max(*maxUsed, e.V.MemUsed())
					if err != nil {
						e.Must(e.Root.Close(fd))
						return // ENOMEM: the budget is full
					}
				}
				e.Must(e.Root.Close(fd))
			}
			t.Errorf("80 MiB of tmpfs fit in a 64 MiB budget")
		}},
		{"large file's chunk with little free", func(t *testing.T, e *rcEnv, maxUsed *int64) {
			fa, err := e.Root.Open("/t/a", O_CREAT|O_RDWR, 0o644)
			e.Must(err)
			for p := 0; p < 512; p++ {
				_, err := e.Root.Pwrite(fa, pg, int64(p)*PAGE_SIZE)
				e.Must(err)
			}
			// Small files until less than two pages are free.
			for i := 0; budget-e.V.MemUsed() >= 2*PAGE_SIZE; i++ {
				fd, err := e.Root.Open(fmt.Sprintf("/t/s%d", i/32), O_CREAT|O_RDWR, 0o644)
				e.Must(err)
				_, err = e.Root.Pwrite(fd, pg, int64(i%32)*PAGE_SIZE)
				e.Must(e.Root.Close(fd))
				if err != nil {
					break
				}
			}
			// Page 512 would start a 2 MiB chunk.
			e.Root.Pwrite(fa, pg, 512*PAGE_SIZE)
			*maxUsed = max(*maxUsed, e.V.MemUsed())
			e.Must(e.Root.Close(fa))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newRCEnv(t, budget)
			e.Must(e.Root.Mkdir("/t", 0o777))
			e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, "size=0"))
			var maxUsed int64
			c.fill(t, e, &maxUsed)
			if maxUsed > budget+2*PAGE_SIZE {
				t.Errorf("memory used reached %d, past the budget %d by %d (chunk spare pages %d)",
					maxUsed, budget, maxUsed-budget, e.V.ChunkSparePages())
			}
		})
	}
}
