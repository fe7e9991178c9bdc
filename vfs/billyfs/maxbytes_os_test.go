//go:build !js && !wasip1

package billyfs_test

import (
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMaxBytesOSStore: on a host directory s_maxbytes is ext4's with 4
// KiB blocks, (2^32-1) blocks (ext4_max_size in fs/ext4/super.c): a
// write at it is EFBIG, and the size itself can be set (a hole).
func TestMaxBytesOSStore(t *testing.T) {
	const ext4Max = (1<<32 - 1) * vfs.PAGE_SIZE
	e := newEnv(t, "os:"+t.TempDir())
	e.mount("")
	r := e.Root
	fd, err := r.Open("/mnt/big", vfs.O_RDWR|vfs.O_CREAT, 0o644)
	e.Must(err)
	defer r.Close(fd)
	cases := []struct {
		name string
		op   func() error
		want error
	}{
		{"pwrite at the limit", func() error { _, err := r.Pwrite(fd, []byte("x"), ext4Max); return err }, vfs.EFBIG},
		{"ftruncate past it", func() error { return r.Ftruncate(fd, ext4Max+1) }, vfs.EFBIG},
		{"ftruncate to it", func() error { return r.Ftruncate(fd, ext4Max) }, nil},
		{"ftruncate past the memory budget", func() error { return r.Ftruncate(fd, e.V.MemBudget()*4) }, nil},
		{"fsync", func() error { return r.Fsync(fd) }, nil},
	}
	for _, c := range cases {
		if err := c.op(); err != c.want {
			t.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
