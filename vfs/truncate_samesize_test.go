package vfs_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestTruncateSameSizeFreesPrealloc: ftruncate(2) to the size a file has
// already frees what fallocate(FALLOC_FL_KEEP_SIZE) preallocated past
// EOF, on tmpfs and on billyfs, and leaves the file's bytes alone.
// Linux: truncate_setsize (mm/truncate.c) always calls
// truncate_pagecache; shmem_setattr (mm/shmem.c) calls
// shmem_truncate_range when newsize <= oldsize; ext4_setattr
// (fs/ext4/inode.c) calls ext4_truncate "even if i_size didn't change to
// truncate possible preallocated blocks". An extension keeps the
// preallocation (neither truncates when the file grows).
func TestTruncateSameSizeFreesPrealloc(t *testing.T) {
	cases := []struct {
		name       string
		written    int64 // bytes written first
		preFrom    int64 // fallocate KEEP_SIZE [preFrom, preFrom+preLen)
		preLen     int64
		truncTo    int64
		wantBlocks int64 // st_blocks after the truncate (512-byte units)
	}{
		{"empty file, truncate to 0", 0, 0, 16 * P, 0, 0},
		{"one page, truncate to its size", P, P, 8 * P, P, 8},
		{"part of a page, truncate to its size", 100, 0, 8 * P, 100, 8},
		{"truncate down", 3 * P, 3 * P, 4 * P, P, 8},
		{"extension keeps the preallocation", 0, 0, 4 * P, 2 * P, 4 * 8},
	}
	for _, fs := range []struct{ typ, opts string }{{"tmpfs", "size=64k"}, {"billyfs", "size=64k,store=mem"}} {
		for _, c := range cases {
			t.Run(fs.typ+"/"+c.name, func(t *testing.T) {
				v, tk, err := boot.New(vfs.Options{Lockdep: true})
				mustT(t, "boot", err)
				t.Cleanup(v.Shutdown)
				mustT(t, "mkdir", tk.Mkdir("/mnt", 0o755))
				mustT(t, "mount", tk.Mount("none", "/mnt", fs.typ, 0, fs.opts))
				fd, err := tk.Open("/mnt/a", vfs.O_RDWR|vfs.O_CREAT, 0o644)
				mustT(t, "open", err)
				data := bytes.Repeat([]byte{'d'}, int(c.written))
				if c.written > 0 {
					_, err = tk.Pwrite(fd, data, 0)
					mustT(t, "pwrite", err)
				}
				mustT(t, "fallocate", tk.Fallocate(fd, vfs.FALLOC_FL_KEEP_SIZE, c.preFrom, c.preLen))
				mustT(t, "fsync", tk.Fsync(fd))
				mustT(t, "ftruncate", tk.Ftruncate(fd, c.truncTo))
				mustT(t, "fsync", tk.Fsync(fd))
				var st vfs.Stat
				mustT(t, "fstat", tk.Fstat(fd, &st))
				if st.Size != c.truncTo || st.Blocks != c.wantBlocks {
					t.Fatalf("size %d blocks %d, want %d and %d", st.Size, st.Blocks, c.truncTo, c.wantBlocks)
				}
				got := make([]byte, c.written+10)
				n, _ := tk.Pread(fd, got, 0)
				want := append(data, make([]byte, max(c.truncTo-c.written, 0))...)[:min(c.truncTo, c.written+10)]
				if !bytes.Equal(got[:n], want) {
					t.Fatalf("contents changed: %q", got[:n])
				}
				// What was freed is free: the space left is 64k less
				// what the file holds.
				fd2, err := tk.Open("/mnt/b", vfs.O_RDWR|vfs.O_CREAT, 0o644)
				mustT(t, "open b", err)
				room := 16*P - c.wantBlocks/8*P
				if n, err := tk.Write(fd2, make([]byte, room)); n != int(room) || err != nil {
					t.Fatalf("write of the %d bytes left: %d, %v", room, n, err)
				}
				mustT(t, "fsync b", tk.Fsync(fd2))
				mustT(t, "close", tk.Close(fd2))
				mustT(t, "close", tk.Close(fd))
				mustT(t, "umount", tk.Umount2("/mnt", 0))
				if rs := v.Validator().Reports(); len(rs) > 0 {
					t.Fatal(fmt.Sprint(rs))
				}
			})
		}
	}
}
