package vfs_test

import (
	"math"
	"strings"
	"testing"

	"github.com/vfscope/vfscope/vfs"
)

// TestMsyncRange: which pages msync(2) writes and what it returns for
// ranges at and past the end of a 3-page shared mapping, as mm/msync.c
// does: a length of 0 is 0 wherever it starts (end == start); a range
// running past the mapping syncs the mapped part (vfs_fsync_range) and
// then returns ENOMEM ("return error ? : unmapped_error"); a range that
// starts past the mapping finds no vma and syncs nothing.
func TestMsyncRange(t *testing.T) {
	cases := []struct {
		name        string
		off, length int64
		flags       int
		want        error
		clean       string // which of the 3 dirtied pages msync cleaned
	}{
		{"len 0 at the end", 3 * P, 0, vfs.MS_SYNC, nil, "---"},
		{"len 0 past the end", 5 * P, 0, vfs.MS_SYNC, nil, "---"},
		{"the whole mapping", 0, 3 * P, vfs.MS_SYNC, nil, "ccc"},
		{"a page more than mapped", 0, 4 * P, vfs.MS_SYNC, vfs.ENOMEM, "ccc"},
		{"from page 1, past the end", P, 3 * P, vfs.MS_SYNC, vfs.ENOMEM, "-cc"},
		{"a length that does not fit", P, math.MaxInt64, vfs.MS_SYNC, vfs.ENOMEM, "-cc"},
		{"starting at the end", 3 * P, P, vfs.MS_SYNC, vfs.ENOMEM, "---"},
		{"async past the end", 0, 4 * P, vfs.MS_ASYNC, vfs.ENOMEM, "---"},
		{"part of a page", P, 1, vfs.MS_SYNC, nil, "-c-"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, tk, _ := mmEnv(t)
			fd := mmFile(t, tk, "/pm/f", pattern(0, 3*P, 4), vfs.O_RDWR)
			mustT(t, "fsync", tk.Fsync(fd))
			vma, err := tk.Mmap(fd, 0, 3*P, vfs.PROT_READ|vfs.PROT_WRITE, vfs.MAP_SHARED)
			mustT(t, "mmap", err)
			for i := int64(0); i < 3; i++ {
				store(t, vma, i*P+5, []byte("dirty"))
			}
			if err := tk.Msync(vma, c.off, c.length, c.flags); err != c.want {
				t.Errorf("msync(%d, %d) = %v, want %v", c.off, c.length, err, c.want)
			}
			var got strings.Builder
			for i := int64(0); i < 3; i++ {
				if strings.Contains(pageFlags(tk, fd, i), "dirty") {
					got.WriteByte('-')
				} else {
					got.WriteByte('c')
				}
			}
			if got.String() != c.clean {
				t.Errorf("pages cleaned %s, want %s", got.String(), c.clean)
			}
			mustT(t, "munmap", tk.Munmap(vma))
			mustT(t, "close", tk.Close(fd))
			pcCheck(t, v)
		})
	}
}
