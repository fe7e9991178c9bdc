package vfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
	"github.com/vfscope/vfscope/vfs/boot"
)

// TestMmapSizeMaxByType: file_mmap_ok bounds a mapping's end by
// file_mmap_size_max, MAX_LFS_FILESIZE (2^63-1) for a regular file but
// ULONG_MAX for a directory or a character device, which then fail with
// ENODEV (no ->mmap) where a regular file is EOVERFLOW. The expectations
// are the host's (Linux 6.18: mmap(PROT_READ, MAP_SHARED) of /dev/null,
// a directory and a file of /dev/shm; a FIFO behaves as /dev/null there,
// but vfscope's fifos cannot be opened, RATIONALE.md).
func TestMmapSizeMaxByType(t *testing.T) {
	const (
		top   = -P     // 0xfffffffffffff000
		top2  = -2 * P // 0xffffffffffffe000
		high  = -1 << 63
		lfs   = 1<<63 - P // 0x7ffffffffffff000
		lfsm1 = lfs - P
	)
	v, tk, err := boot.New(vfs.Options{Lockdep: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Shutdown()
	mustT(t, "mkdir", tk.Mkdir("/tmp/d", 0o755))
	fd, err := tk.Open("/tmp/f", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	mustT(t, "create", err)
	mustT(t, "close", tk.Close(fd))
	open := map[string]int{}
	for _, path := range []string{"/dev/null", "/tmp/d", "/tmp/f"} {
		fd, err := tk.Open(path, vfs.O_RDONLY, 0)
		mustT(t, "open "+path, err)
		open[path] = fd
	}
	for _, tc := range []struct {
		path  string
		off   int64
		pages int64
		want  error
	}{
		{"/dev/null", high, 1, vfs.ENODEV},
		{"/dev/null", lfs, 2, vfs.ENODEV},
		{"/dev/null", top2, 1, vfs.ENODEV},
		{"/dev/null", top2, 2, vfs.EOVERFLOW},
		{"/dev/null", top, 1, vfs.EOVERFLOW},
		{"/tmp/d", high, 1, vfs.ENODEV},
		{"/tmp/d", lfs, 1, vfs.ENODEV},
		{"/tmp/d", top2, 2, vfs.EOVERFLOW},
		{"/tmp/d", top, 1, vfs.EOVERFLOW},
		{"/tmp/f", high, 1, vfs.EOVERFLOW},
		{"/tmp/f", lfs, 1, vfs.EOVERFLOW},
		{"/tmp/f", lfsm1, 2, vfs.EOVERFLOW},
		{"/tmp/f", top2, 1, vfs.EOVERFLOW},
		{"/tmp/f", lfsm1, 1, nil},
	} {
		vma, err := tk.Mmap(open[tc.path], tc.off, tc.pages*P, vfs.PROT_READ, vfs.MAP_SHARED)
		if err != tc.want {
			t.Errorf("mmap(%s, off %#x, %d pages) = %v, want %v", tc.path, uint64(tc.off), tc.pages, err, tc.want)
		}
		if err == nil {
			mustT(t, "munmap", tk.Munmap(vma))
		}
	}
	for _, fd := range open {
		mustT(t, "close", tk.Close(fd))
	}
}
