package vfs_test

import (
	"bytes"
	"testing"

	. "github.com/vfscope/vfscope/vfs"
)

// TestChunkSpareNeedsNoRoom: a file whose chunk has spare pages charged
// already grows into them with the budget full: the page is paid for,
// so the write does not fail with ENOMEM.
func TestChunkSpareNeedsNoRoom(t *testing.T) {
	if !LargeFileChunks {
		t.Skip("no chunks under WebAssembly (pagealloc_wasm.go)")
	}
	e := newRCEnv(t, 64<<20)
	v := e.V
	e.Must(e.Root.Mkdir("/t", 0o777))
	e.Must(e.Root.Mount("tmpfs", "/t", "tmpfs", 0, "size=0"))
	pg := bytes.Repeat([]byte{'x'}, PAGE_SIZE)
	fd, err := e.Root.Open("/t/spare", O_CREAT|O_RDWR, 0o644)
	e.Must(err)
	defer e.Root.Close(fd)
	// 513 pages: page 512 opens a 2 MiB chunk, 511 spares left.
	for p := int64(0); p < 513; p++ {
		if _, err := e.Root.Pwrite(fd, pg, p*PAGE_SIZE); err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
	}
	spare := v.ChunkSparePages()
	if spare == 0 {
		t.Fatal("no spare pages after 513 pages")
	}
	// Fill the rest of the budget with tmpfs pages, which nothing can
	// reclaim, until a file without spares gets ENOMEM.
	other, err := e.Root.Open("/t/fill", O_CREAT|O_RDWR, 0o644)
	e.Must(err)
	defer e.Root.Close(other)
	for p := int64(0); ; p++ {
		if _, err := e.Root.Pwrite(other, pg, p*PAGE_SIZE); err == ENOMEM {
			break
		} else if err != nil {
			t.Fatalf("filling page %d: %v", p, err)
		}
		if p > 1<<20 {
			t.Fatal("the budget never filled")
		}
	}
	if _, err := e.Root.Pwrite(fd, pg, 513*PAGE_SIZE); err != nil {
		t.Fatalf("a write into the file's charged spare pages with the budget full: %v (spares %d)", err, v.ChunkSparePages())
	}
}
